// STS-TOPOLOGY-PRIMARY against a primary whose data changed after the replicas copied
// it: just before the after snapshot, db-0's data file is rewritten inside the pod.
import { at, expectCheck, expectExit, faultRun, shIn } from './support.ts';

faultRun(
  "fault: the primary db-0's data is rewritten after the replicas copied it",
  {
    argv: ['--workload', 'primary-replica', '--rounds', '0', '--seed', '1'],
    hook: at('before-after-snapshot', async (ctx) => {
      const file = ctx.workload.topology?.primaryPath;
      if (!file) throw new Error('the workload has no topology paths');
      await shIn(ctx, 'db-0', `printf rewritten > ${file}.tmp && mv ${file}.tmp ${file} && sync`);
    }),
  },
  (t) => {
    it('STS-TOPOLOGY-PRIMARY fails, naming replica db-1', function () {
      expectCheck(t.run, 'STS-TOPOLOGY-PRIMARY', 'failed', 'replica db-1');
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
