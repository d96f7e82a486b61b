// The node agent on its own (examples/agent.yaml, installed by cluster:up), driven through
// fault requests as the harness drives it, with two plain pods: it heals at the expiry when
// nobody renews (a harness that died), it heals what it had applied when it is SIGKILLed
// and restarts, it heals when its pod is deleted mid-fault (the DaemonSet recreates it),
// and it refuses a request in a namespace no run created. Each case then looks into the
// pods' network namespaces from the host for leftover rules. Beside the restart's and the
// pod deletion's partition of a, a loss on a, and a thin pipe and a full volume on d (a
// pod with a fixed-size volume on a's node) are held too, and no chain, tbf qdisc or fill
// file may be left of any. Last, with the
// agent scaled to no node, `ordinal run --chaos partition` exits 2 with one line.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import * as k8s from '@kubernetes/client-node';
import { expect } from 'chai';
import { podPid } from '../../../lib/agent/node.ts';
import { TBF_HANDLE } from '../../../lib/agent/bandwidth.ts';
import { FILL_FILE } from '../../../lib/agent/disk.ts';
import { LOSS_CHAIN } from '../../../lib/agent/loss.ts';
import { AGENT_NAME, AGENT_NAMESPACE, CHAIN, cgroupMatches, FAULT_LABEL, parseStatus } from '../../../lib/agent/request.ts';
import { FaultRequest } from '../../../lib/chaos/fault-request.ts';
import type { Cluster } from '../../../lib/cluster/cluster.ts';
import { runNamespace } from '../../../lib/names.ts';
import { createRunNamespace } from '../../../lib/run/namespace.ts';
import { newRunId } from '../../../lib/run/run-id.ts';
import { TIMEOUTS } from '../../../lib/timeouts.ts';
import { agentMarks, companions, sleeper, VOLUME_PATH, volumePod } from '../leftovers.ts';
import { connectTestCluster, waitFor, waitUntil } from '../support.ts';

const run = promisify(execFile);
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

async function rulesOf(podUid: string): Promise<string> {
  const pid = await podPid(podUid);
  if (pid === undefined) throw new Error(`no process of pod uid ${podUid} on this machine`);
  return (await run('nsenter', [`--net=/proc/${pid}/ns/net`, 'iptables', '-w', '5', '-S'])).stdout;
}

/** The agent's pod on `node` (not one on its way out). */
async function agentPod(cluster: Cluster, node: string): Promise<V1Pod> {
  const pods = await cluster.core.listNamespacedPod({ namespace: AGENT_NAMESPACE, labelSelector: `app.kubernetes.io/name=${AGENT_NAME}` });
  const pod = pods.items.find((p) => p.spec?.nodeName === node && !p.metadata?.deletionTimestamp);
  if (!pod) throw new Error(`no agent pod on node ${node}`);
  return pod;
}

/** The pid of the agent's node process on `node` (hostPID: visible from here). */
async function agentPid(cluster: Cluster, node: string): Promise<number> {
  const uid = (await agentPod(cluster, node)).metadata?.uid ?? '';
  for (const e of await readdir('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    const cmd = await readFile(`/proc/${e}/cmdline`, 'utf8').catch(() => '');
    if (!cmd.includes('ordinal.js') || !cmd.includes('agent')) continue;
    if (cgroupMatches(await readFile(`/proc/${e}/cgroup`, 'utf8').catch(() => ''), uid)) return Number(e);
  }
  throw new Error(`no agent process of pod ${uid} on node ${node}`);
}

describe('fault: the node agent heals on expiry, on a restart and when its pod is deleted, and refuses namespaces no run created', function () {
  this.timeout(400_000);
  let cluster: Cluster;
  const runId = newRunId();
  const ns = runNamespace(runId);
  const stranger = `ordinal-agent-test-${runId.slice(-4)}`;
  let a: V1Pod;
  let b: V1Pod;
  /** A pod on a's node with a fixed-size volume, for the disk-full companion. */
  let d: { pod: V1Pod; pv: string };
  const log = (l: string): void => void console.log(`      ${l}`);

  before(async function () {
    cluster = await connectTestCluster();
    await createRunNamespace(cluster, ns, runId);
    await cluster.core.createNamespace({ body: { metadata: { name: stranger } } });
    [a, b] = await Promise.all([sleeper(cluster, ns, 'a'), sleeper(cluster, ns, 'b')]);
    d = await volumePod(cluster, ns, 'd', a.spec?.nodeName ?? '');
  });

  after(async function () {
    for (const name of [ns, stranger]) await cluster?.core.deleteNamespace({ name }).catch(() => undefined);
  });

  const request = (name: string, namespace = ns): FaultRequest => new FaultRequest(cluster, namespace, name, log);
  const spec = (pod: V1Pod) => ({
    fault: 'partition' as const,
    pod: pod.metadata?.name ?? '',
    podUid: pod.metadata?.uid ?? '',
    peers: [b.status?.podIP ?? ''],
  });

  it('applies a request nobody renews, then heals it by itself at the expiry, leaving no rule', async function () {
    const r = request('expiry');
    await r.create(spec(a));
    r.stopRenewing();
    const applied = await r.waitFor(['applied'], 20_000, 'expiry case');
    expect(applied.node).to.equal(a.spec?.nodeName);
    expect(await rulesOf(a.metadata?.uid ?? '')).to.include(`-N ${CHAIN}`);
    const healed = await r.waitFor(['healed'], 30_000, 'expiry case');
    expect(healed.healedBecause).to.equal('expired');
    expect(await rulesOf(a.metadata?.uid ?? '')).to.not.include(CHAIN);
    await r.remove();
  });

  /** Every kind applied on a's node: a's partition (already) and loss, d's tbf and fill file. */
  const onA = [CHAIN, LOSS_CHAIN];
  const onD = [`tbf ${TBF_HANDLE}`, FILL_FILE];
  const uidOf = (p: V1Pod): string => p.metadata?.uid ?? '';

  /** Healing everything on a node cuts other runs' faults short there: wait until none is held on it. */
  const quiet = (node: string): Promise<void> =>
    waitUntil(`no other run's fault held on node ${node}`, 120_000, async () => {
      const all = await cluster.core.listConfigMapForAllNamespaces({ labelSelector: FAULT_LABEL });
      const others = all.items.filter((cm) => cm.metadata?.namespace !== ns && parseStatus(cm.data?.status)?.phase === 'applied');
      const there = others.filter((cm) => parseStatus(cm.data?.status)?.node === node);
      return { ok: there.length === 0, seen: `held there: ${there.map((cm) => cm.metadata?.namespace).join(', ')}` };
    });

  it('heals what it had applied when SIGKILLed: the restarted agent removes every chain, qdisc and fill file and marks each request healed', async function () {
    const r = request('restart');
    let others: FaultRequest[] = [];
    await r.create(spec(a));
    try {
      await r.waitFor(['applied'], 20_000, 'restart case');
      others = await companions(cluster, ns, 'restart', { a, peer: b, disk: d }, log);
      expect(await agentMarks(uidOf(a))).to.deep.equal(onA);
      expect(await agentMarks(uidOf(d.pod), VOLUME_PATH)).to.deep.equal(onD);
      await quiet(a.spec?.nodeName ?? '');
      process.kill(await agentPid(cluster, a.spec?.nodeName ?? ''), 'SIGKILL');
      for (const q of [r, ...others])
        expect((await q.waitFor(['healed'], 90_000, 'restart case')).healedBecause).to.equal('the agent restarted');
      expect(await agentMarks(uidOf(a))).to.deep.equal([]);
      expect(await agentMarks(uidOf(d.pod), VOLUME_PATH)).to.deep.equal([]);
    } finally {
      for (const q of [r, ...others]) await q.remove();
    }
  });

  it('heals when its pod is deleted mid-fault: the agent that stops (or its replacement) removes the rules, and none come back', async function () {
    const node = a.spec?.nodeName ?? '';
    const r = request('pod-deleted');
    let others: FaultRequest[] = [];
    await r.create(spec(a));
    try {
      await r.waitFor(['applied'], 20_000, 'pod-deleted case');
      others = await companions(cluster, ns, 'pod-deleted', { a, peer: b, disk: d }, log);
      expect(await agentMarks(uidOf(a))).to.deep.equal(onA);
      expect(await agentMarks(uidOf(d.pod), VOLUME_PATH)).to.deep.equal(onD);
      await quiet(node);
      const old = await agentPod(cluster, node);
      await cluster.core.deleteNamespacedPod({ name: old.metadata?.name ?? '', namespace: AGENT_NAMESPACE });
      // The harness is alive and renewing: only the agent's own exit path can heal it.
      const healed = await r.waitFor(['healed'], 90_000, 'pod-deleted case');
      expect(healed.healedBecause).to.be.oneOf(['the agent stopped', 'the agent restarted']);
      for (const q of others)
        expect((await q.waitFor(['healed'], 90_000, 'pod-deleted case')).healedBecause).to.be.oneOf([
          'the agent stopped',
          'the agent restarted',
        ]);
      expect(await agentMarks(uidOf(a))).to.deep.equal([]);
      expect(await agentMarks(uidOf(d.pod), VOLUME_PATH)).to.deep.equal([]);
      const replacement = await waitFor(`a new agent pod Ready on node ${node}`, 120_000, async () => {
        const p = await agentPod(cluster, node).catch(() => undefined);
        const ready = p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
        const fresh = p && p.metadata?.uid !== old.metadata?.uid && ready;
        return { ...(fresh ? { value: p } : {}), seen: p ? `agent pod uid ${p.metadata?.uid}, ready ${ready === true}` : 'no agent pod' };
      });
      expect(replacement.metadata?.uid).to.not.equal(old.metadata?.uid);
      // A healed request stays healed: the new agent, seeing it still renewed, applies nothing.
      await new Promise((res) => setTimeout(res, 3 * TIMEOUTS.agentTick));
      for (const q of [r, ...others]) expect((await q.status())?.phase).to.equal('healed');
      expect(await agentMarks(uidOf(a))).to.deep.equal([]);
      expect(await agentMarks(uidOf(d.pod), VOLUME_PATH)).to.deep.equal([]);
      log(
        `agent pod ${old.metadata?.name} deleted; healed (${healed.healedBecause}): ${healed.seen}; replaced by ${replacement.metadata?.name}`,
      );
    } finally {
      for (const q of [r, ...others]) await q.remove();
    }
  });

  it('refuses a request in a namespace no run created, saying why, and touches nothing there', async function () {
    const c = await sleeper(cluster, stranger, 'c');
    const r = request('stranger', stranger);
    await r.create(spec(c));
    try {
      const refused = await r.waitFor(['refused', 'applied'], 20_000, 'stranger case');
      expect(refused.phase).to.equal('refused');
      expect(refused.seen).to.match(/is not one Ordinal may disrupt/);
      expect(await rulesOf(c.metadata?.uid ?? '')).to.not.include(CHAIN);
    } finally {
      await r.remove();
    }
  });

  it('with no agent running, `ordinal run --chaos partition` prints one line and exits 2, creating nothing', async function () {
    const ds = { name: AGENT_NAME, namespace: AGENT_NAMESPACE };
    await cluster.apps.patchNamespacedDaemonSet(
      { ...ds, body: { spec: { template: { spec: { nodeSelector: { 'ordinal.dev/no-such-node': 'x' } } } } } },
      merge,
    );
    try {
      await waitUntil('the agent gone from every node', 90_000, async () => {
        const ready = (await cluster.apps.readNamespacedDaemonSet(ds)).status?.numberReady;
        return { ok: ready === 0, seen: `${ready} ready` };
      });
      const before = (await cluster.core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=ordinal' })).items.length;
      const out = await run(
        process.execPath,
        [
          'bin/ordinal.js',
          'run',
          '--workload',
          'web',
          '--chaos',
          'partition',
          '--rounds',
          '1',
          '--kubeconfig',
          process.env.KUBECONFIG ?? '',
        ],
        { timeout: 60_000 },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (err: { code: number; stderr: string }) => ({ code: err.code, stderr: err.stderr }),
      );
      expect(out.code, out.stderr).to.equal(2);
      expect(out.stderr.trim().split('\n'), out.stderr).to.have.length(1);
      expect(out.stderr).to.match(/node agent.*examples\/agent\.yaml/);
      const after = (await cluster.core.listNamespace({ labelSelector: 'app.kubernetes.io/managed-by=ordinal' })).items.length;
      expect(after).to.be.at.most(before);
    } finally {
      await cluster.apps.patchNamespacedDaemonSet({ ...ds, body: { spec: { template: { spec: { nodeSelector: null } } } } }, merge);
      await waitUntil('the agent back on every node', 120_000, async () => {
        const s = (await cluster.apps.readNamespacedDaemonSet(ds)).status;
        const ok =
          !!s && s.numberReady === s.desiredNumberScheduled && s.numberReady > 0 && s.updatedNumberScheduled === s.desiredNumberScheduled;
        return { ok, seen: `${s?.numberReady} ready, ${s?.updatedNumberScheduled} updated of ${s?.desiredNumberScheduled}` };
      });
    }
  });
});
