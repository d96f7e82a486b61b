// STS-PVC-BINDING against a claim deleted under a pod: www-web-1 is deleted just before
// round 1 kills web-1 (the seed is chosen for it). The pvc-protection finalizer keeps the claim while
// web-1 uses it; once the kill removes the pod the claim goes, and the StatefulSet
// controller (createPersistentVolumeClaims in stateful_pod_control.go: a claim that is
// "being deleted" blocks the pod, a missing one is created) makes a new claim, new UID.
import { at, deleteClaim, expectCheck, expectExit, faultRun, seedKilling } from './support.ts';

faultRun(
  'fault: the claim www-web-1 is deleted just before web-1 is killed',
  {
    argv: ['--rounds', '1', '--seed', String(seedKilling('web', ['web-1'], 'force-delete')), '--timeout', '120'],
    hook: at('before-kills', (ctx) => deleteClaim(ctx, 'www-web-1'), 1),
  },
  (t) => {
    it('STS-PVC-BINDING fails, naming PVC www-web-1', function () {
      expectCheck(t.run, 'STS-PVC-BINDING', 'failed', 'PVC www-web-1');
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
