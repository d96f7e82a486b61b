// The postgres sample on the real cluster (--workload postgres, 3 servers, one round): db-0,
// the primary, and db-2, a replica, deleted. Every check passes; the replicas came back to
// the primary by its stable name, db-2 on its own data (no new base backup), and
// results.json has the replication timings with reconnect samples. (A promoted replica:
// postgres-promote.spec.ts.)
import { expect } from 'chai';
import { BOOTSTRAP_RECORD, POSTGRES_DURABILITY, POSTGRES_IMAGE, POSTGRES_MOUNT } from '../../lib/workloads/postgres.ts';
import { expectPassed, importPostgresImage, postgresArgv } from './postgres-planting.ts';
import { at, describeRun, expectCheck, expectExit, faultRun, hooks, seedKilling, shIn } from './support.ts';

/** Who made db-2's data directory, before and after round 1 recreated it, with the pod UIDs then. */
const made: { uid?: string; by?: string }[] = [];
const bootstrapOf = async (ctx: Parameters<Parameters<typeof at>[1]>[0]): Promise<void> => {
  const by = (await shIn(ctx, 'db-2', `cat ${POSTGRES_MOUNT}/${BOOTSTRAP_RECORD}`)).trim();
  made.push({ by, ...(ctx.recorder.pods.get('db-2')?.uid ? { uid: ctx.recorder.pods.get('db-2')?.uid } : {}) });
};

faultRun(
  'postgres sample: the primary db-0 and the replica db-2 deleted, every check passes',
  {
    argv: postgresArgv(seedKilling('db', ['db-0', 'db-2'], 'delete', { chaos: ['delete'] })),
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
