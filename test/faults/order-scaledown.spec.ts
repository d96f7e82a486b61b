// STS-ORDER-SCALEDOWN against a deletion out of order: as soon as the scale-down to 1
// has web-2 terminating, web-1 is deleted by hand, before web-2 is gone.
import type { Cluster } from '../../lib/cluster.ts';
import { at, connectTestCluster, deletePod, expectCheck, expectClusterHealthy, expectExit, type FaultRun, runWithFault, waitPod } from './support.ts';

describe('fault: web-1 deleted by hand while the scale-down is terminating web-2', function () {
  this.timeout(360_000);
  let cluster: Cluster;
  let run: FaultRun;

  before(async function () {
    cluster = await connectTestCluster();
    run = await runWithFault(['--rounds', '0', '--seed', '1'], at('scale-down-requested', async (ctx) => {
      await waitPod(ctx, 'web-2', 'terminating', (p) => Boolean(p?.deletionTimestamp), 30_000);
      await deletePod(ctx, 'web-1');
    }));
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}`);
  });

  after(async function () {
    if (cluster) await expectClusterHealthy(cluster);
  });

  it('STS-ORDER-SCALEDOWN fails, naming pod web-1', function () {
    expectCheck(run, 'STS-ORDER-SCALEDOWN', 'failed', 'pod web-1');
  });

  it('exits 1', function () {
    expectExit(run, 1);
  });
});
