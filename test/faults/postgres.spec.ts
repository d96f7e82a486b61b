// The postgres sample on the real cluster (--workload postgres, 3 servers, one round):
//  1. db-0, the primary, and db-2, a replica, deleted: every check passes; the replicas came
//     back to the primary by its stable name, db-2 on its own data (no new base backup), and
//     results.json has the replication timings with reconnect samples.
//  2. db-1 promoted by hand after round 1 (pg_promote: a second primary, no pod touched):
//     STS-TOPOLOGY-PRIMARY fails naming db-1, and the pod-level checks still pass.
import { expect } from 'chai';
import { BOOTSTRAP_RECORD, POSTGRES_DURABILITY, POSTGRES_IMAGE, POSTGRES_MOUNT } from '../../lib/workloads/postgres.ts';
import { importPostgresImage, promoteReplica } from './postgres-planting.ts';
import { at, describeRun, evidenceText, expectCheck, expectExit, faultRun, hooks, seedKilling, shIn } from './support.ts';

/** Asserts the checks `ids` passed (with the run's story when one did not). */
function expectPassed(t: { run: Parameters<typeof describeRun>[0] }, ids: readonly string[]): void {
  for (const id of ids) {
    const c = t.run.result.checks.find((x) => x.id === id);
    expect(c?.status, `${id}: ${c?.message}\n${describeRun(t.run)}`).to.equal('passed');
  }
}

const argv = (seed: number): string[] => [
  '--workload',
  'postgres',
  '--replicas',
  '3',
  '--rounds',
  '1',
  '--chaos',
  'delete',
  '--seed',
  String(seed),
  '--timeout',
  '120',
  '--dns-budget',
  '15',
];

/** Who made db-2's data directory, before and after round 1 recreated it, with the pod UIDs then. */
const made: { uid?: string; by?: string }[] = [];
const bootstrapOf = async (ctx: Parameters<Parameters<typeof at>[1]>[0]): Promise<void> => {
  const by = (await shIn(ctx, 'db-2', `cat ${POSTGRES_MOUNT}/${BOOTSTRAP_RECORD}`)).trim();
  made.push({ by, ...(ctx.recorder.pods.get('db-2')?.uid ? { uid: ctx.recorder.pods.get('db-2')?.uid } : {}) });
};

faultRun(
  'postgres sample: the primary db-0 and the replica db-2 deleted, every check passes',
  {
    argv: argv(seedKilling('db', ['db-0', 'db-2'], 'delete', { chaos: ['delete'] })),
    hook: hooks(at('before-kills', bootstrapOf, 1), at('after-round', bootstrapOf, 1)),
    setup: async () => importPostgresImage(),
    timeoutMs: 420_000,
  },
  (t) => {
    it('exits 0: every check passed or skipped, STS-TOPOLOGY-PRIMARY passed', function () {
      expectExit(t.run, 0);
      expect(t.run.result.cluster.image).to.equal(POSTGRES_IMAGE);
      const c = expectCheck(t.run, 'STS-TOPOLOGY-PRIMARY', 'passed', 'primary db-0');
      expect(c.message).to.match(
        /2 replicas stream from db-0\.db\.ordinal-[\w-]+\.svc\.cluster\.local in every probe \(baseline, round 1, after\)/,
      );
      expectPassed(t, ['STS-DATA-SENTINEL', 'STS-DNS-A', 'STS-PVC-BINDING', 'STS-RECOVERY', 'STS-IDENTITY']);
    });

    it('db-2 came back on its own data directory: made by its first pod, not by pg_basebackup again', function () {
      expect(made, describeRun(t.run)).to.have.length(2);
      const [before, after] = made;
      expect(before?.uid, 'db-2 was recreated').to.not.equal(after?.uid);
      expect(after?.by, 'the data directory is the one the first db-2 made').to.equal(before?.by);
      expect(before?.by).to.match(/^[0-9a-f-]{36}$/);
    });

    it('results.json: the durability setting, catch-up for both replicas in every probe, a reconnect after the primary came back', function () {
      const r = t.run.result.replication;
      if (!r) throw new Error(`no replication in results.json\n${describeRun(t.run)}`);
      expect(r.durability).to.equal(POSTGRES_DURABILITY);
      expect(r.probes.map((p) => p.label)).to.deep.equal(['baseline', 'round 1', 'after']);
      expect(r.catchUp.samples).to.equal(6);
      expect(r.reconnect.samples, 'round 1 recreated db-0: both replicas reconnected').to.equal(2);
      expect(t.run.result.replication?.probes[1]?.reconnectMs).to.have.keys('db-1', 'db-2');
      expect(r.reconnect.maxMs).to.be.within(0, 120_000);
      const round = r.probes[1];
      for (const pod of ['db-1', 'db-2']) {
        const s = round?.final?.replicas.find((x) => x.pod === pod);
        expect(s?.receiver?.slot, pod).to.equal(pod === 'db-1' ? 'replica_1' : 'replica_2');
        expect(s?.inRecovery, pod).to.equal(true);
      }
    });
  },
);

faultRun(
  'fault: replica db-1 promoted by hand after round 1 (two primaries)',
  {
    argv: argv(seedKilling('db', ['db-2'], 'delete', { chaos: ['delete'] })),
    hook: at('after-round', (ctx) => promoteReplica(ctx, 'db-1'), 1),
    setup: async () => importPostgresImage(),
    timeoutMs: 420_000,
  },
  (t) => {
    it('STS-TOPOLOGY-PRIMARY fails naming db-1: not in recovery, a second primary', function () {
      const c = expectCheck(t.run, 'STS-TOPOLOGY-PRIMARY', 'failed', 'replica db-1');
      expect(c.message).to.match(/^after: replica db-1 is not in recovery: promoted, a second primary beside db-0/);
      expect(evidenceText(c)).to.not.match(/replica db-2/);
    });

    it("the round-1 probe, taken before the promotion, saw both replicas streaming from db-0's name", function () {
      const round = t.run.result.replication?.probes.find((p) => p.label === 'round 1');
      expect(round?.final?.replicas.map((r) => [r.pod, r.inRecovery, r.receiver?.status])).to.deep.equal([
        ['db-1', true, 'streaming'],
        ['db-2', true, 'streaming'],
      ]);
    });

    it('the pod-level checks still pass (the promotion touched no pod) and the run exits 1', function () {
      expectPassed(t, ['STS-DATA-SENTINEL', 'STS-RECOVERY', 'STS-IDENTITY']);
      expectExit(t.run, 1);
    });
  },
);
