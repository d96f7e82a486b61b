// A pod deletion through the API, shared by `delete` and `force-delete`. The delete names
// the exact pod UID as a precondition, so the harness can never delete a pod it did not
// observe in its own namespace.
import { ClusterError, ObservationError, describeError, httpStatus } from '../../errors.ts';
import { retryTransient } from '../../cluster/retry.ts';
import type { DisruptionContext, DisruptionTarget } from '../disruption.ts';

/**
 * A refused or reset connection (API server restarting) is retried until the deadline.
 * After such a retry, 404 (gone) or 409 (UID precondition: already replaced) means an
 * earlier attempt reached the server before its connection dropped: done.
 */
export async function deletePod(
  ctx: DisruptionContext,
  target: DisruptionTarget,
  what: string,
  gracePeriodSeconds?: number,
): Promise<void> {
  const grace = gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds };
  try {
    await retryTransient(
      async (attempt) => {
        try {
          await ctx.cluster.core.deleteNamespacedPod({
            name: target.pod,
            namespace: ctx.namespace,
            ...grace,
            body: { preconditions: { uid: target.uid }, ...grace },
          });
        } catch (err) {
          const status = httpStatus(err);
          if (attempt > 1 && (status === 404 || status === 409)) return;
          throw err;
        }
      },
      { deadline: ctx.deadline, what: `${what} of pod ${target.pod}` },
    );
  } catch (err) {
    if (err instanceof ObservationError) throw err;
    throw new ClusterError(`${what} of pod ${target.pod} (uid ${target.uid}) in namespace ${ctx.namespace} failed: ${describeError(err)}`);
  }
}
