// STS-TOPOLOGY-PRIMARY against a primary whose data changed after the replicas copied
// it: just before the after snapshot, db-0's data file is rewritten inside the pod.
import type { Cluster } from '../../lib/cluster.ts';
import { at, connectTestCluster, expectCheck, expectClusterHealthy, expectExit, type FaultRun, runWithFault, shIn } from './support.ts';

describe("fault: the primary db-0's data is rewritten after the replicas copied it", function () {
  this.timeout(360_000);
  let cluster: Cluster;
  let run: FaultRun;

  before(async function () {
    cluster = await connectTestCluster();
    run = await runWithFault(['--workload', 'primary-replica', '--rounds', '0', '--seed', '1'], at('before-after-snapshot', async (ctx) => {
      const file = ctx.workload.topology?.primaryPath;
      if (!file) throw new Error('the workload has no topology paths');
      await shIn(ctx, 'db-0', `printf rewritten > ${file}.tmp && mv ${file}.tmp ${file} && sync`);
    }));
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}`);
  });

  after(async function () {
    if (cluster) await expectClusterHealthy(cluster);
  });

  it('STS-TOPOLOGY-PRIMARY fails, naming replica db-1', function () {
    expectCheck(run, 'STS-TOPOLOGY-PRIMARY', 'failed', 'replica db-1');
  });

  it('exits 1', function () {
    expectExit(run, 1);
  });
});
