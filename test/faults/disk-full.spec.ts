// `--chaos disk-full` on the etcd sample with traffic, on the 3-node local cluster, with
// volumes of the fixed-size class (cluster/scripts/fixed-size.sh: ext4 on a loop device,
// installed by cluster:up) and the node agent (examples/agent.yaml). The spec looks at the
// volumes itself, from the host (the test runs as root on the machine that hosts every
// node), through the same /proc/<pid>/root the agent uses: it must see the fill file in
// etcd-1's volume while the fault is held (so "no fill file left" is not vacuous), and
// none in any pod's volume afterwards. Also: on the default class (host-path, the node's
// disk) the run exits 2 before creating anything.
import { execFile } from 'node:child_process';
import { stat, statfs } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { hostVolumeDirs, volumePid } from '../../lib/agent/disk.ts';
import { FILL_FILE } from '../../lib/agent/disk-request.ts';
import { ETCD_MOUNT } from '../../lib/workloads/etcd.ts';
import type { MarkerOf, TimelineEntry } from '../../lib/timeline/entries.ts';
import { connectTestCluster, expectCheck, expectExit, faultRun, hooks, seedKilling, at } from './support.ts';

const run = promisify(execFile);
const seed = seedKilling('etcd', ['etcd-1'], 'disk-full', { chaos: ['disk-full'] });

/**
 * Whether the pod's volume holds the fill file, and its available bytes: through a
 * container of the pod that mounts it, else (a container between restarts) through the
 * kubelet's mount of its PersistentVolume `pv` on this host.
 */
async function volumeOf(podUid: string, pv: string): Promise<{ fill: boolean; availBytes: number }> {
  const pid = await volumePid(podUid, ETCD_MOUNT);
  const dir = pid !== undefined ? `/proc/${pid}/root${ETCD_MOUNT}` : (await hostVolumeDirs(podUid, pv)).at(-1);
  if (dir === undefined)
    throw new Error(`no process of pod uid ${podUid} mounts ${ETCD_MOUNT} on this machine, nor is ${pv} mounted for it`);
  const fill = await stat(`${dir}/${FILL_FILE}`).then(
    () => true,
    () => false,
  );
  const fs = await statfs(dir);
  return { fill, availBytes: fs.bavail * fs.bsize };
}

let uids = new Map<string, string>();
/** Pod name → its claim's PersistentVolume. */
let pvs = new Map<string, string>();
const seenDuring = new Set<string>();
let after = new Map<string, { fill: boolean; availBytes: number }>();
let markers: TimelineEntry[] = [];
let poller: NodeJS.Timeout | undefined;

faultRun(
  'fault: --chaos disk-full fills etcd-1 volume (ordinal-fixed) through the node agent, confirmed, freed',
  {
    argv: [
      '--workload',
      'etcd',
      '--chaos',
      'disk-full',
      '--storage-class',
      'ordinal-fixed',
      // etcd preallocates 64 MB WAL segments (and the next one ahead): 256Mi leaves room for its database.
      '--claim-size',
      '256Mi',
      '--rounds',
      '1',
      '--seed',
      String(seed),
      '--traffic',
      'on',
      // A member that exited on ENOSPC comes back after its CrashLoopBackOff delay (10 s, doubling) once freed.
      '--timeout',
      '180',
      '--dns-budget',
      '30',
    ],
    timeoutMs: 420_000,
    hook: hooks(
      at('before-kills', async (ctx) => {
        uids = new Map([...ctx.recorder.pods].filter(([n]) => /^etcd-\d$/.test(n)).map(([n, p]) => [n, p.uid]));
        const claims = await ctx.cluster.core.listNamespacedPersistentVolumeClaim({ namespace: ctx.workload.info.namespace });
        pvs = new Map(claims.items.map((c) => [(c.metadata?.name ?? '').replace(/^[a-z]+-/, ''), c.spec?.volumeName ?? '']));
        poller = setInterval(() => {
          for (const [pod, uid] of uids)
            void volumeOf(uid, pvs.get(pod) ?? '').then(
              (v) => v.fill && seenDuring.add(pod),
              () => undefined,
            );
        }, 500);
      }),
      at('after-kills', async () => {
        clearInterval(poller);
      }),
      at('before-after-snapshot', async (ctx) => {
        markers = ctx.recorder.timeline.filter((e) => e.type === 'MARKER' && (e.marker === 'disk-full' || e.marker === 'disk-full-healed'));
        after = new Map(await Promise.all([...uids].map(async ([pod, uid]) => [pod, await volumeOf(uid, pvs.get(pod) ?? '')] as const)));
      }),
    ),
    cleanup: async () => clearInterval(poller),
    summary: () => `seed ${seed}; fill file seen during the hold in: ${[...seenDuring].join(', ') || 'none'}`,
  },
  (t) => {
    it('the run has no error and exits 0: the full volume was confirmed (ENOSPC) and its heal confirmed (a write succeeds)', function () {
      expect(t.run.result.error, JSON.stringify(t.run.result.error)).to.equal(undefined);
      expectExit(t.run, 0);
    });

    it('the timeline marks the confirmed full volume of etcd-1, then its confirmed heal', function () {
      const full = markers.find((m) => m.type === 'MARKER' && m.marker === 'disk-full') as MarkerOf<'disk-full'> | undefined;
      const healed = markers.find((m) => m.type === 'MARKER' && m.marker === 'disk-full-healed') as
        | MarkerOf<'disk-full-healed'>
        | undefined;
      expect(full, t.run.log.join('\n')).to.not.equal(undefined);
      expect(full?.pod).to.equal('etcd-1');
      expect(full?.uid).to.equal(uids.get('etcd-1'));
      expect(full?.path).to.equal(ETCD_MOUNT);
      // The filesystem the pod saw is the claim's, not the node's disk.
      expect(full?.sizeKiB).to.be.within(1, 256 * 1024);
      expect(full?.confirmMs).to.be.greaterThan(0);
      expect(healed?.pod).to.equal('etcd-1');
      expect(healed?.healConfirmMs).to.be.greaterThan(0);
      expect((healed?.t ?? 0) > (full?.t ?? Number.POSITIVE_INFINITY), 'healed after the fill').to.equal(true);
    });

    it('results.json records the fault with its confirmation times', function () {
      const f = t.run.result.faults ?? [];
      expect(f.map((x) => `${x.kind} ${x.round} ${x.pod}`)).to.deep.equal(['disk-full 1 etcd-1']);
      expect(f[0]?.confirmMs).to.be.greaterThan(0);
      expect(f[0]?.healConfirmMs).to.be.greaterThan(0);
    });

    it("the fill file was in etcd-1's volume during the hold, and in no other pod's", function () {
      expect([...seenDuring]).to.deep.equal(['etcd-1']);
    });

    it('no fill file is left on any volume afterwards, and each has room again', function () {
      expect([...after.keys()].sort()).to.deep.equal(['etcd-0', 'etcd-1', 'etcd-2']);
      for (const [pod, v] of after) {
        expect(v.fill, pod).to.equal(false);
        expect(v.availBytes, pod).to.be.greaterThan(1024 * 1024);
      }
    });

    it('the checks pass: etcd-1 stayed (same UID; restarts allowed) and was Ready again; members whole; no acknowledged write lost', function () {
      expectCheck(t.run, 'STS-RECOVERY', 'passed', /./);
      expectCheck(t.run, 'STS-ETCD-MEMBERSHIP', 'passed', /./);
      expectCheck(t.run, 'STS-WRITES-DURABLE', 'passed', /./);
    });
  },
);

describe('fault: --chaos disk-full on a class that does not enforce capacity', function () {
  this.timeout(60_000);
  it('exits 2 with one line naming the class and the fixed-size one, creating nothing', async function () {
    const cluster = await connectTestCluster();
    const managed = { labelSelector: 'app.kubernetes.io/managed-by=ordinal' };
    const before = (await cluster.core.listNamespace(managed)).items.map((n) => n.metadata?.name).sort();
    // --replicas 2: a StatefulSet no other spec makes, so a namespace another run creates meanwhile is told apart.
    const argv = [
      'bin/ordinal.js',
      'run',
      '--workload',
      'web',
      '--replicas',
      '2',
      '--chaos',
      'disk-full',
      '--rounds',
      '1',
      '--storage-class',
      'standard',
    ];
    const out = await run(process.execPath, [...argv, '--kubeconfig', process.env.KUBECONFIG ?? ''], { timeout: 50_000 }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code?: number; stderr?: string }) => ({ code: e.code, stderr: e.stderr ?? '' }),
    );
    expect(out.code, out.stderr).to.equal(2);
    const lines = out.stderr.trim().split('\n');
    expect(lines, out.stderr).to.have.length(1);
    expect(lines[0]).to.match(/disk-full.*storage class standard does not say its volumes enforce their capacity.*ordinal-fixed/);
    const created = (await cluster.core.listNamespace(managed)).items.map((n) => n.metadata?.name ?? '').filter((n) => !before.includes(n));
    for (const namespace of created) {
      const sets = (await cluster.apps.listNamespacedStatefulSet({ namespace }).catch(() => ({ items: [] }))).items;
      expect(sets.filter((s) => s.metadata?.name === 'web' && s.spec?.replicas === 2).map(() => namespace)).to.deep.equal([]);
    }
  });
});
