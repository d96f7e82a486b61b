// The node agent's dead man's switch for loss, bandwidth and disk-full (examples/agent.yaml,
// installed by cluster:up), driven through fault requests as the harness drives them, with
// two plain pods and one with a fixed-size volume: a request nobody renews (a harness
// SIGKILLed mid-fault) is applied, then healed by the agent alone at its expiry. Each case
// looks into the pod's network namespace (or volume) from the host: the rule, qdisc or fill
// file must be there while applied (so "nothing left" is not vacuous) and gone after.
// Last, the three at once left by a "dead harness" (expiry moved 2 minutes ahead) are
// healed by `ordinal cleanup`, each mark seen gone while its pod still ran, before the
// namespace goes. Does not stop the agent, so it runs beside other fault specs.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { TBF_HANDLE } from '../../lib/agent/bandwidth.ts';
import { LOSS_CHAIN } from '../../lib/agent/loss.ts';
import { podPid } from '../../lib/agent/node.ts';
import { FAULT_REQUEST_NAME } from '../../lib/agent/request.ts';
import { FaultRequest } from '../../lib/chaos/fault-request.ts';
import { healLeftoverFaults } from '../../lib/chaos/fault-heal.ts';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { runNamespace } from '../../lib/names.ts';
import { createRunNamespace } from '../../lib/run/namespace.ts';
import { newRunId } from '../../lib/run/run-id.ts';
import { FILL_FILE } from '../../lib/agent/disk.ts';
import { fullProblem, maxFillBytes } from '../../lib/chaos/disk-confirm.ts';
import { agentMarks, CLAIM_BYTES, sleeper, VOLUME_PATH, volumePod } from './leftovers.ts';
import { runCli } from '../integration/helpers.ts';
import { connectTestCluster, waitUntil } from './support.ts';

const run = promisify(execFile);
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

async function netOf(podUid: string): Promise<string> {
  const pid = await podPid(podUid);
  if (pid === undefined) throw new Error(`no process of pod uid ${podUid} on this machine`);
  const ns = `--net=/proc/${pid}/ns/net`;
  const [rules, qdiscs] = await Promise.all([
    run('nsenter', [ns, 'iptables', '-w', '5', '-S']),
    run('nsenter', [ns, 'tc', 'qdisc', 'show']),
  ]);
  return `${rules.stdout}\n${qdiscs.stdout}`;
}

describe('fault: the node agent heals a loss, a thin pipe and a full volume by itself at the expiry when nobody renews them, and when `ordinal cleanup` asks', function () {
  this.timeout(200_000);
  let cluster: Cluster;
  const runId = newRunId();
  const ns = runNamespace(runId);
  let a: V1Pod;
  let b: V1Pod;
  let d: { pod: V1Pod; pv: string };
  const log = (l: string): void => void console.log(`      ${l}`);

  before(async function () {
    cluster = await connectTestCluster();
    await createRunNamespace(cluster, ns, runId);
    [a, b, d] = await Promise.all([sleeper(cluster, ns, 'a'), sleeper(cluster, ns, 'b'), volumePod(cluster, ns, 'd')]);
  });

  after(async function () {
    await cluster?.core.deleteNamespace({ name: ns }).catch(() => undefined);
  });

  const uidOf = (p: V1Pod): string => p.metadata?.uid ?? '';
  const on = (p: V1Pod): { pod: string; podUid: string } => ({ pod: p.metadata?.name ?? '', podUid: uidOf(p) });

  const cases = [
    { kind: 'loss' as const, extra: { percent: 30 }, mark: `-N ${LOSS_CHAIN}`, gone: LOSS_CHAIN },
    { kind: 'bandwidth' as const, extra: { rateKbit: 256 }, mark: `tbf ${TBF_HANDLE}`, gone: TBF_HANDLE },
  ];
  for (const c of cases) {
    it(`${c.kind}: applied, then healed at the expiry with nobody renewing, leaving nothing in the pod's netns`, async function () {
      const r = new FaultRequest(cluster, ns, `expiry-${c.kind}`, log);
      const peers = c.kind === 'loss' ? [b.status?.podIP ?? ''] : [];
      await r.create({ fault: c.kind, pod: a.metadata?.name ?? '', podUid: a.metadata?.uid ?? '', peers, ...c.extra });
      r.stopRenewing();
      try {
        const applied = await r.waitFor(['applied'], 20_000, `${c.kind} expiry case`);
        expect(applied.node).to.equal(a.spec?.nodeName);
        expect(await netOf(a.metadata?.uid ?? '')).to.include(c.mark);
        const healed = await r.waitFor(['healed'], 30_000, `${c.kind} expiry case`);
        expect(healed.healedBecause).to.equal('expired');
        expect(await netOf(a.metadata?.uid ?? '')).to.not.include(c.gone);
      } finally {
        await r.remove();
      }
    });
  }

  it("disk-full: applied (the agent's own write then fails with ENOSPC), then healed at the expiry with nobody renewing (its write succeeds), leaving no fill file on the volume", async function () {
    const r = new FaultRequest(cluster, ns, 'expiry-disk-full', log);
    const uid = d.pod.metadata?.uid ?? '';
    await r.create({
      fault: 'disk-full',
      pod: d.pod.metadata?.name ?? '',
      podUid: uid,
      peers: [],
      path: VOLUME_PATH,
      maxBytes: maxFillBytes(CLAIM_BYTES),
      volume: d.pv,
    });
    r.stopRenewing();
    try {
      const applied = await r.waitFor(['applied'], 20_000, 'disk-full expiry case');
      expect(applied.node).to.equal(d.pod.spec?.nodeName);
      expect(await agentMarks(uid, VOLUME_PATH)).to.deep.equal([FILL_FILE]);
      // The agent's own write after the fill, the evidence for a container that cannot be entered.
      expect(applied.probe, JSON.stringify(applied)).to.include({ rc: 1, fill: true });
      expect(fullProblem(applied.probe ?? { rc: 0, message: '', fill: false })).to.equal(undefined);
      const healed = await r.waitFor(['healed'], 30_000, 'disk-full expiry case');
      expect(healed.healedBecause).to.equal('expired');
      expect(await agentMarks(uid, VOLUME_PATH)).to.deep.equal([]);
      expect(healed.probe, JSON.stringify(healed)).to.include({ rc: 0, fill: false });
    } finally {
      await r.remove();
    }
  });

  it('disk-full: a heal while no process mounts the volume (its pod deleted) says `unfreed: retrying`; cleanup waits for the retry, which frees it once a pod mounts the claim again', async function () {
    const e = await volumePod(cluster, ns, 'e');
    // A name cleanup looks for, as a dead harness would have left it.
    const name = `${FAULT_REQUEST_NAME}-3`;
    const r = new FaultRequest(cluster, ns, name, log);
    await r.create({ fault: 'disk-full', ...on(e.pod), peers: [], path: VOLUME_PATH, maxBytes: maxFillBytes(CLAIM_BYTES), volume: e.pv });
    try {
      await r.waitFor(['applied'], 20_000, 'disk-full retry case');
      expect(await agentMarks(uidOf(e.pod), VOLUME_PATH)).to.deep.equal([FILL_FILE]);
      // As a rollout does: the pod goes, and with it every mount of the volume.
      await cluster.core.deleteNamespacedPod({ name: 'e', namespace: ns, gracePeriodSeconds: 0 });
      await waitUntil('pod e gone and its volume unmounted', 60_000, async () => {
        const gone = await cluster.core.readNamespacedPod({ name: 'e', namespace: ns }).then(
          () => false,
          () => true,
        );
        // The kubelet's mount for the pod, not the local cluster's own mount of the loop device.
        const mounted = (await readFile('/proc/1/mountinfo', 'utf8')).includes(`/volumes/kubernetes.io~local-volume/${e.pv}`);
        return { ok: gone && !mounted, seen: `pod gone ${gone}, volume mounted ${mounted}` };
      });
      await r.heal();
      const healed = await r.waitFor(['healed'], 30_000, 'disk-full retry case');
      expect(healed.seen).to.match(/may be left; trying again every tick/);
      expect(healed.unfreed, JSON.stringify(healed)).to.equal('retrying');
      expect(healed.probe).to.equal(undefined);
      // Cleanup now must not take that heal as done: it waits, and says why.
      const said: string[] = [];
      const cleaning = healLeftoverFaults(cluster, ns, (l) => void said.push(l));
      let cleaned = 0;
      void cleaning.finally(() => {
        cleaned = Date.now();
      });
      await new Promise((res) => setTimeout(res, 5_000));
      expect(cleaned, 'cleanup returned while the volume was still full').to.equal(0);
      // The pod back on the same claim: the agent reaches the volume again and frees it.
      const backAt = Date.now();
      const back = await volumePod(cluster, ns, 'e');
      const outcomes = await cleaning;
      expect(cleaned).to.be.greaterThan(backAt);
      expect(said.join('\n')).to.match(new RegExp(`${name}: the agent on node \\S+ could not free the volume yet`));
      expect(outcomes, JSON.stringify(outcomes)).to.have.length(1);
      expect(outcomes[0]?.problem).to.equal(undefined);
      expect(outcomes[0]?.said).to.match(/healed by the agent .*removed/);
      const freed = await r.status();
      expect(freed?.unfreed, JSON.stringify(freed)).to.equal(undefined);
      expect(freed?.probe).to.include({ rc: 0, fill: false });
      expect(await agentMarks(uidOf(back.pod), VOLUME_PATH)).to.deep.equal([]);
    } finally {
      await r.remove();
    }
  });

  it('`ordinal cleanup` after a crash asks the agent to heal a loss, a thin pipe and a full volume, sees each confirmed, then deletes the namespace; each mark went while its pod still ran', async function () {
    const targets = [
      {
        name: FAULT_REQUEST_NAME,
        uid: uidOf(a),
        mark: LOSS_CHAIN,
        spec: { fault: 'loss' as const, ...on(a), peers: [b.status?.podIP ?? ''], percent: 30 },
      },
      {
        name: `${FAULT_REQUEST_NAME}-1`,
        uid: uidOf(b),
        mark: `tbf ${TBF_HANDLE}`,
        spec: { fault: 'bandwidth' as const, ...on(b), peers: [], rateKbit: 256 },
      },
      {
        name: `${FAULT_REQUEST_NAME}-2`,
        uid: uidOf(d.pod),
        path: VOLUME_PATH,
        mark: FILL_FILE,
        spec: {
          fault: 'disk-full' as const,
          ...on(d.pod),
          peers: [],
          path: VOLUME_PATH,
          maxBytes: maxFillBytes(CLAIM_BYTES),
          volume: d.pv,
        },
      },
    ];
    for (const t of targets) {
      const r = new FaultRequest(cluster, ns, t.name, log);
      await r.create(t.spec);
      // The harness died: nobody renews, and (the spec moves it) no expiry comes before cleanup's heal.
      r.stopRenewing();
      await r.waitFor(['applied'], 20_000, `cleanup case ${t.spec.fault}`);
      const body = { data: { expires: String(Date.now() + 120_000) } };
      await cluster.core.patchNamespacedConfigMap({ name: t.name, namespace: ns, body }, merge);
    }
    const cleaning = runCli(['cleanup', '--yes', '--run-id', runId]);
    const samples: { uid: string; marks: string[] | undefined }[] = [];
    let over = false;
    void cleaning.finally(() => {
      over = true;
    });
    // The three pods at once: cleanup heals the three in parallel and deletes the namespace as
    // soon as the last heal is confirmed, so one pod's clean moment can be short.
    while (!over) {
      const marks = await Promise.all(targets.map((t) => agentMarks(t.uid, t.path).catch(() => undefined)));
      samples.push(...targets.map((t, i) => ({ uid: t.uid, marks: marks[i] })));
      await new Promise((r) => setTimeout(r, 10));
    }
    const out = await cleaning;
    expect(out.code, `${out.stdout}\n${out.stderr}`).to.equal(0);
    const deleted = out.stdout.indexOf(`deleted ${ns}`);
    for (const t of targets) {
      const said = out.stdout.search(new RegExp(`fault request ${ns}/${t.name}: healed by the agent on node \\S+ \\(asked\\)`));
      expect(said, out.stdout).to.be.greaterThan(-1);
      expect(deleted, 'deleted after every heal was confirmed').to.be.greaterThan(said);
      // The samples of the live pod, in order: the mark at first, then gone for good (the namespace's deletion came after).
      const live = samples.filter((x) => x.uid === t.uid && x.marks !== undefined).map((x) => x.marks ?? []);
      expect(live[0], `${t.spec.fault}: the mark when cleanup started`).to.include(t.mark);
      const clean = live.findIndex((m) => m.length === 0);
      expect(clean, `${t.spec.fault}: no sample of the live pod without the mark: ${JSON.stringify(live.at(-1))}`).to.be.greaterThan(0);
      for (const m of live.slice(clean)) expect(m, t.spec.fault).to.deep.equal([]);
    }
  });
});
