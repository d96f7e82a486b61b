// STS-PVC-BINDING against a claim deleted under a pod: www-web-1 is deleted just before
// round 1 kills web-1 (the seed is chosen for it). The pvc-protection finalizer keeps the claim while
// web-1 uses it; once the kill removes the pod the claim goes, and the StatefulSet
// controller (createPersistentVolumeClaims in stateful_pod_control.go: a claim that is
// "being deleted" blocks the pod, a missing one is created) makes a new claim, new UID.
import { at, expectCheck, expectExit, faultRun, seedKilling } from './support.ts';

faultRun('fault: the claim www-web-1 is deleted just before web-1 is killed', {
  argv: ['--rounds', '1', '--seed', String(seedKilling('web', ['web-1'], 'force-delete')), '--timeout', '120'],
  hook: at('before-kills', async (ctx) => {
    const namespace = ctx.workload.info.namespace;
    await ctx.cluster.core.deleteNamespacedPersistentVolumeClaim({ name: 'www-web-1', namespace });
    await ctx.recorder.waitFor({
      describe: 'PVC www-web-1 to be marked for deletion',
      timeoutMs: 30_000,
      until: () => (ctx.recorder.pvcs.get('www-web-1')?.deletionTimestamp ? true : undefined),
    });
    ctx.log('fault: PVC www-web-1 deleted (held by pvc-protection while web-1 runs)');
  }, 1),
}, (t) => {
  it('STS-PVC-BINDING fails, naming PVC www-web-1', function () {
    expectCheck(t.run, 'STS-PVC-BINDING', 'failed', 'PVC www-web-1');
  });

  it('exits 1', function () {
    expectExit(t.run, 1);
  });
});
