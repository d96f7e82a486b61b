// STS-DATA-SENTINEL against data changed behind the harness's back: after the baseline
// wrote the sentinels, web-1's is overwritten and web-2's removed, inside the pods.
import type { Cluster } from '../../lib/cluster.ts';
import { SENTINEL_FILE } from '../../lib/workloads/common.ts';
import { at, connectTestCluster, expectCheck, expectClusterHealthy, expectExit, type FaultRun, runWithFault, shIn } from './support.ts';

describe("fault: web-1's sentinel overwritten and web-2's removed after the baseline", function () {
  this.timeout(360_000);
  let cluster: Cluster;
  let run: FaultRun;
  let path = '';

  before(async function () {
    cluster = await connectTestCluster();
    run = await runWithFault(['--rounds', '0', '--seed', '1'], at('after-baseline', async (ctx) => {
      path = `${ctx.workload.dataPath}/${SENTINEL_FILE}`;
      await shIn(ctx, 'web-1', `printf tampered > ${path} && sync`);
      await shIn(ctx, 'web-2', `rm ${path} && sync`);
    }));
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}`);
  });

  after(async function () {
    if (cluster) await expectClusterHealthy(cluster);
  });

  it('STS-DATA-SENTINEL fails, naming the overwritten sentinel of web-1', function () {
    expectCheck(run, 'STS-DATA-SENTINEL', 'failed', `sentinel web-1:${path}`);
  });

  it('STS-DATA-SENTINEL fails, naming the removed sentinel of web-2', function () {
    expectCheck(run, 'STS-DATA-SENTINEL', 'failed', `sentinel web-2:${path}`);
  });

  it('exits 1', function () {
    expectExit(run, 1);
  });
});
