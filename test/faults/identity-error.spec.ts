// STS-IDENTITY's error path: the kubelet is stopped (component.sh, by recorded PID) just
// before the after snapshot, so the in-pod hostname probe's exec cannot reach it; it
// starts again once the scale-down is requested. DNS goes straight to a CoreDNS pod IP
// (not through a kubelet port-forward), so only the exec-based checks lose observation.
import type { Cluster } from '../../lib/cluster.ts';
import { at, connectTestCluster, corednsPodIps, expectCheck, expectClusterHealthy, expectExit, type FaultRun, hooks, Outage, runWithFault } from './support.ts';

describe('fault: the kubelet is down during the after snapshot (exec fails)', function () {
  this.timeout(360_000);
  const outage = new Outage();
  let cluster: Cluster;
  let run: FaultRun;

  before(async function () {
    cluster = await connectTestCluster();
    const [server] = await corednsPodIps(cluster);
    if (!server) throw new Error('no Ready CoreDNS pod in kube-system');
    run = await runWithFault(['--rounds', '0', '--seed', '1', '--dns-server', `${server}:53`], hooks(
      at('before-after-snapshot', async (ctx) => {
        await outage.stop('kubelet');
        ctx.log('fault: kubelet stopped');
      }),
      at('scale-down-requested', async (ctx) => {
        await outage.start('kubelet');
        ctx.log('fault: kubelet started again');
      }),
    ));
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}`);
  });

  after(async function () {
    await outage.restore();
    if (cluster) await expectClusterHealthy(cluster);
  });

  it('STS-IDENTITY is an error, naming a pod whose hostname could not be read', function () {
    expectCheck(run, 'STS-IDENTITY', 'error', /^pod web-\d$/);
  });

  it('STS-DATA-SENTINEL is an error, naming a sentinel that could not be read', function () {
    expectCheck(run, 'STS-DATA-SENTINEL', 'error', /^sentinel web-\d:/);
  });

  it('exits 2', function () {
    expectExit(run, 2);
  });
});
