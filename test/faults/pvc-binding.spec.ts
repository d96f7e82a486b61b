// STS-PVC-BINDING against a claim deleted under a pod: www-web-1 is deleted just before
// round 1 kills web-1 (the seed is chosen for it). The pvc-protection finalizer keeps the claim while
// web-1 uses it; once the kill removes the pod the claim goes, and the StatefulSet
// controller (createPersistentVolumeClaims in stateful_pod_control.go: a claim that is
// "being deleted" blocks the pod, a missing one is created) makes a new claim, new UID.
import type { Cluster } from '../../lib/cluster.ts';
import { at, connectTestCluster, expectCheck, expectClusterHealthy, expectExit, type FaultRun, runWithFault, seedKilling } from './support.ts';

describe('fault: the claim www-web-1 is deleted just before web-1 is killed', function () {
  this.timeout(360_000);
  let cluster: Cluster;
  let run: FaultRun;

  before(async function () {
    cluster = await connectTestCluster();
    run = await runWithFault(['--rounds', '1', '--seed', String(seedKilling('web', ['web-1'], 'force-delete')), '--timeout', '120'], at('before-kills', async (ctx) => {
      const namespace = ctx.workload.info.namespace;
      await ctx.cluster.core.deleteNamespacedPersistentVolumeClaim({ name: 'www-web-1', namespace });
      await ctx.recorder.waitFor({
        describe: 'PVC www-web-1 to be marked for deletion',
        timeoutMs: 30_000,
        until: () => (ctx.recorder.pvcs.get('www-web-1')?.deletionTimestamp ? true : undefined),
      });
      ctx.log('fault: PVC www-web-1 deleted (held by pvc-protection while web-1 runs)');
    }, 1));
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}`);
  });

  after(async function () {
    if (cluster) await expectClusterHealthy(cluster);
  });

  it('STS-PVC-BINDING fails, naming PVC www-web-1', function () {
    expectCheck(run, 'STS-PVC-BINDING', 'failed', 'PVC www-web-1');
  });

  it('exits 1', function () {
    expectExit(run, 1);
  });
});
