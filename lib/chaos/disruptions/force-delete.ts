// `force-delete`: grace period 0, as `kubectl delete --force --grace-period=0` does. The
// API object goes at once, whatever the kubelet is still running (the documented hazard).
import { deletionSeen, waitForPod, type Disruption } from '../disruption.ts';
import { deletePod } from './delete-pod.ts';

export const forceDelete: Disruption = {
  name: 'force-delete',
  expect: 'replaced',
  describe: 'deletes the pod with grace period 0 (the object goes at once); the controller must replace it',
  async apply(ctx, target) {
    await deletePod(ctx, target, 'force-delete', 0);
    return undefined;
  },
  tookEffect: (ctx, target) => waitForPod(ctx, target, 'the force-delete', deletionSeen(target)),
};
