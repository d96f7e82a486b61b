// Carry out one planned kill. The delete names the exact pod UID as a precondition,
// so the harness can never delete a pod it did not observe in its own namespace.
import type { Cluster } from '../cluster.ts';
import { ClusterError, ObservationError, describeError, httpStatus } from '../errors.ts';
import { retryTransient } from '../retry.ts';
import type { PlannedKill } from '../types.ts';

/**
 * A refused or reset connection (API server restarting) is retried until `deadline`
 * (wall ms). After such a retry, 404 (gone) or 409 (UID precondition: already replaced)
 * means an earlier attempt reached the server before its connection dropped: done.
 */
export async function killPod(cluster: Cluster, namespace: string, kill: PlannedKill, uid: string, deadline = Date.now() + 60_000): Promise<void> {
  try {
    await retryTransient(async (attempt) => {
      try {
        await cluster.core.deleteNamespacedPod({
          name: kill.pod,
          namespace,
          ...(kill.action === 'force-delete' ? { gracePeriodSeconds: 0 } : {}),
          body: { preconditions: { uid }, ...(kill.action === 'force-delete' ? { gracePeriodSeconds: 0 } : {}) },
        });
      } catch (err) {
        const status = httpStatus(err);
        if (attempt > 1 && (status === 404 || status === 409)) return;
        throw err;
      }
    }, { deadline, what: `${kill.action} of pod ${kill.pod}` });
  } catch (err) {
    if (err instanceof ObservationError) throw err;
    throw new ClusterError(`${kill.action} of pod ${kill.pod} (uid ${uid}) in namespace ${namespace} failed: ${describeError(err)}`);
  }
}
