// After the final scale-down: the claims of the ordinals it removed must go when
// persistentVolumeClaimRetentionPolicy.whenScaled is Delete (upstream, the controller
// makes each condemned pod the claim's owner and the garbage collector deletes the
// claim once the pod is gone) and stay when it is Retain. The run waits for the
// deletions to show on the watch, bounded by --timeout (with Retain, it watches for
// TIMEOUTS.scaleSettle), and records a `claims-scaled` marker that STS-PVC-RETENTION judges
// from. Then the run deletes the StatefulSet, so the check can judge whenDeleted too.
import { ObservationError, describeError } from '../errors.ts';
import { retryTransient } from '../cluster/retry.ts';
import { scaledAwayClaims } from '../names.ts';
import type { Workload } from '../workloads/common.ts';
import type { RunContext } from './context.ts';
import { TIMEOUTS, timeLeft } from '../timeouts.ts';

type RetentionContext = Pick<RunContext, 'cluster' | 'recorder' | 'timeouts' | 'log'> & { subject: { workload: Workload } };

export async function settleScaledClaims(ctx: RetentionContext, from: number, to: number): Promise<void> {
  const { recorder: rec, log } = ctx;
  const w = ctx.subject.workload.info;
  const timeoutMs = ctx.timeouts.claimsSettle;
  const policy = w.options?.pvcRetention.whenScaled ?? 'Retain';
  const claims = scaledAwayClaims(w, from, to);
  if (claims.length === 0) {
    rec.mark({ marker: 'claims-scaled', policy, claims });
    return;
  }
  if (policy === 'Retain') {
    // The watch goes on meanwhile: STS-PVC-RETENTION judges the whole window.
    await new Promise((r) => setTimeout(r, TIMEOUTS.scaleSettle));
    rec.mark({ marker: 'claims-scaled', policy, claims, settledMs: TIMEOUTS.scaleSettle });
    log(
      `watched the claims of the scaled-away ordinals for ${TIMEOUTS.scaleSettle / 1000}s after the scale-down (whenScaled: Retain): ${claims.join(', ')}`,
    );
    return;
  }
  try {
    await rec.waitFor({
      describe: `the claims of the scaled-away ordinals to be deleted (whenScaled: Delete): ${claims.join(', ')}`,
      timeoutMs,
      until: () => (claims.every((c) => !rec.pvcs.has(c)) ? true : undefined),
    });
    rec.mark({ marker: 'claims-scaled', policy, claims });
    log(`claims of the scaled-away ordinals deleted (whenScaled: Delete): ${claims.join(', ')}`);
  } catch (err) {
    const why = describeError(err);
    rec.mark({ marker: 'claims-scaled', policy, claims, ...(err instanceof ObservationError ? { unobserved: why } : { aborted: why }) });
    log(`claims of the scaled-away ordinals not all deleted: ${why}`);
  }
}

/**
 * Deletes the StatefulSet (background propagation: the garbage collector removes its
 * pods, and with whenDeleted: Delete its claims, which upstream made the set's own) and
 * waits for the pods to go and, with Delete, the claims; with Retain it then watches
 * TIMEOUTS.retainSettle more. The `statefulset-delete` / `statefulset-deleted` markers bound
 * what STS-PVC-RETENTION judges.
 */
export async function deleteStatefulSet(ctx: RetentionContext): Promise<void> {
  const { cluster, recorder: rec, log } = ctx;
  const w = ctx.subject.workload.info;
  const timeoutMs = ctx.timeouts.statefulSetDelete;
  const policy = w.options?.pvcRetention.whenDeleted ?? 'Retain';
  const prefixes = w.claimTemplates.map((t) => `${t}-${w.statefulSet}-`);
  // Claims already being deleted (e.g. by whenScaled) are not the deletion's to judge.
  const claims = [...rec.pvcs]
    .filter(([c, s]) => prefixes.some((p) => c.startsWith(p)) && !s.deletionTimestamp)
    .map(([c]) => c)
    .sort();
  rec.mark({ marker: 'statefulset-delete', claims });
  const deadline = Date.now() + timeoutMs;
  try {
    await retryTransient(
      () => cluster.apps.deleteNamespacedStatefulSet({ name: w.statefulSet, namespace: w.namespace, propagationPolicy: 'Background' }),
      {
        deadline,
        what: `deleting StatefulSet ${w.statefulSet}`,
      },
    );
    const pods = new RegExp(`^${w.statefulSet}-\\d+$`);
    await rec.waitFor({
      describe: `the pods of the deleted StatefulSet ${w.statefulSet} to be gone${policy === 'Delete' ? `, and its claims (whenDeleted: Delete): ${claims.join(', ')}` : ''}`,
      timeoutMs: timeLeft(deadline),
      until: () =>
        [...rec.pods.keys()].some((p) => pods.test(p)) || (policy === 'Delete' && claims.some((c) => rec.pvcs.has(c))) ? undefined : true,
    });
    if (policy === 'Retain') await new Promise((r) => setTimeout(r, TIMEOUTS.retainSettle));
    rec.mark({ marker: 'statefulset-deleted', policy });
    log(`deleted StatefulSet ${w.statefulSet}; claims ${policy === 'Delete' ? 'deleted with it' : 'kept'} (whenDeleted: ${policy})`);
  } catch (err) {
    const why = describeError(err);
    rec.mark({ marker: 'statefulset-deleted', policy, ...(err instanceof ObservationError ? { unobserved: why } : { aborted: why }) });
    log(`deleting StatefulSet ${w.statefulSet} did not finish: ${why}`);
  }
}
