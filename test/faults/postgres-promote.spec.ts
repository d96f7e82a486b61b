// The postgres sample with a replica promoted by hand: after round 1 (which deletes only
// db-2), db-1 gets pg_promote(): it leaves recovery on a new timeline, a second primary
// beside db-0, while no pod is touched. STS-TOPOLOGY-PRIMARY fails naming db-1; the
// pod-level checks still pass. The planting (promoteReplica) is shared in postgres-planting.ts.
import { expect } from 'chai';
import { expectPassed, importPostgresImage, postgresArgv, promoteReplica } from './postgres-planting.ts';
import { at, evidenceText, expectCheck, expectExit, faultRun, seedKilling } from './support.ts';

faultRun(
  'fault: replica db-1 promoted by hand after round 1 (two primaries)',
  {
    argv: postgresArgv(seedKilling('db', ['db-2'], 'delete', { chaos: ['delete'] })),
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
