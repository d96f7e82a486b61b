// Carry out one planned kill. The delete names the exact pod UID as a precondition,
// so the harness can never delete a pod it did not observe in its own namespace.
import type { Cluster } from '../cluster.ts';
import { ClusterError, describeError } from '../errors.ts';
import type { PlannedKill } from '../types.ts';

export async function killPod(cluster: Cluster, namespace: string, kill: PlannedKill, uid: string): Promise<void> {
  try {
    await cluster.core.deleteNamespacedPod({
      name: kill.pod,
      namespace,
      ...(kill.action === 'force-delete' ? { gracePeriodSeconds: 0 } : {}),
      body: { preconditions: { uid }, ...(kill.action === 'force-delete' ? { gracePeriodSeconds: 0 } : {}) },
    });
  } catch (err) {
    throw new ClusterError(`${kill.action} of pod ${kill.pod} (uid ${uid}) in namespace ${namespace} failed: ${describeError(err)}`);
  }
}
