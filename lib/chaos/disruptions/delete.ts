// `delete`: a graceful API deletion, as `kubectl delete pod` does.
import { deletionSeen, waitForPod, type Disruption } from '../disruption.ts';
import { deletePod } from './delete-pod.ts';

export const del: Disruption = {
  name: 'delete',
  expect: 'replaced',
  describe: 'deletes the pod through the API with its grace period; the controller must replace it',
  async apply(ctx, target) {
    await deletePod(ctx, target, 'delete');
    return undefined;
  },
  tookEffect: (ctx, target) => waitForPod(ctx, target, 'the delete', deletionSeen(target)),
};
