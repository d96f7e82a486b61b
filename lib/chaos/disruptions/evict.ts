// `evict`: the Eviction API (policy/v1), as `kubectl drain` uses it. The API server
// admits an eviction only while the pods' PodDisruptionBudget allows one more disruption;
// otherwise it answers 429 with a DisruptionBudget cause, which is recorded as a refusal
// (the pod must then stay). The run creates the budget (--pdb, max-unavailable=1 by default).
import { ClusterError, ObservationError, describeError, httpStatus } from '../../errors.ts';
import { retryTransient } from '../../cluster/retry.ts';
import { deletionSeen, waitForPod, type ApplyOutcome, type Disruption } from '../disruption.ts';

/** The budget's refusal, or undefined for any other error (a 429 from API throttling is retried). */
export function budgetRefusal(err: unknown): ApplyOutcome['refused'] {
  if (httpStatus(err) !== 429) return undefined;
  const body = (err as { body?: unknown }).body;
  let status: { message?: string; details?: { causes?: { type?: string; message?: string }[] } } = {};
  try {
    status = typeof body === 'string' ? JSON.parse(body) : typeof body === 'object' && body !== null ? (body as typeof status) : {};
  } catch {
    return undefined;
  }
  const cause = status.details?.causes?.find((c) => c.type === 'DisruptionBudget');
  if (!cause && !/disruption budget/i.test(status.message ?? '')) return undefined;
  return { status: 429, reason: [status.message, cause?.message].filter(Boolean).join(' ') };
}

export const evict: Disruption = {
  name: 'evict',
  expect: 'replaced',
  describe:
    "evicts the pod through the Eviction API under the run's PodDisruptionBudget; an admitted eviction is replaced, a refused one (429) must leave the pod alone",
  async apply(ctx, target) {
    let refused: ApplyOutcome['refused'];
    try {
      await retryTransient(
        async (attempt) => {
          try {
            await ctx.cluster.core.createNamespacedPodEviction({
              name: target.pod,
              namespace: ctx.namespace,
              body: {
                apiVersion: 'policy/v1',
                kind: 'Eviction',
                metadata: { name: target.pod, namespace: ctx.namespace },
                deleteOptions: { preconditions: { uid: target.uid } },
              },
            });
          } catch (err) {
            // A retry after a dropped connection may fail (even 429: the budget is used up)
            // because the first attempt was admitted: the watch tells which happened.
            if (attempt > 1 && deletionSeen(target)(ctx.recorder.pods.get(target.pod))) return;
            refused = budgetRefusal(err);
            if (refused) return;
            const status = httpStatus(err);
            // After a dropped connection: the earlier attempt got through (gone, or replaced).
            if (attempt > 1 && (status === 404 || status === 409)) return;
            throw err;
          }
        },
        { deadline: ctx.deadline, what: `eviction of pod ${target.pod}` },
      );
    } catch (err) {
      if (err instanceof ObservationError) throw err;
      throw new ClusterError(
        `eviction of pod ${target.pod} (uid ${target.uid}) in namespace ${ctx.namespace} failed: ${describeError(err)}`,
      );
    }
    return refused ? { refused } : undefined;
  },
  tookEffect: (ctx, target) => waitForPod(ctx, target, 'the eviction', deletionSeen(target)),
};
