// After the final scale-down: the claims of the ordinals it removed must go when
// persistentVolumeClaimRetentionPolicy.whenScaled is Delete (upstream, the controller
// makes each condemned pod the claim's owner and the garbage collector deletes the
// claim once the pod is gone) and stay when it is Retain. The run waits for the
// deletions to show on the watch, bounded by --timeout (with Retain, it watches for
// SCALE_SETTLE_MS), and records a `claims-scaled` marker that STS-PVC-RETENTION judges
// from. Then the run deletes the StatefulSet, so the check can judge whenDeleted too.
import type { Cluster } from './cluster.ts';
import { ObservationError, describeError } from './errors.ts';
import { retryTransient } from './retry.ts';
import { claimName, startOrdinal } from './names.ts';
import type { Recorder } from './recorder.ts';
import type { WorkloadInfo } from './types.ts';

/** The claims of the ordinals a scale-down from `from` to `to` replicas removes, highest ordinal first. */
export function scaledAwayClaims(w: WorkloadInfo, from: number, to: number): string[] {
  const first = startOrdinal(w);
  const out: string[] = [];
  for (let o = first + from - 1; o >= first + to; o--) for (const t of w.claimTemplates) out.push(claimName(w, t, o));
  return out;
}

/**
 * How long the run keeps watching after the scale-down before it deletes the StatefulSet,
 * with whenScaled: Retain. The garbage collector deletes a dependent from its watch of the
 * owner, within ~0.1 s here (test/faults/pvc-retention.spec.ts measures it); its one
 * periodic task, re-discovering resources, runs every 30 s and deletes nothing by itself.
 * Without this window a wrongful deletion right after the scale-down would fall after
 * the StatefulSet delete and be judged under whenDeleted.
 */
export const SCALE_SETTLE_MS = 10_000;

export async function settleScaledClaims(rec: Recorder, w: WorkloadInfo, from: number, to: number, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const policy = w.options?.pvcRetention.whenScaled ?? 'Retain';
  const claims = scaledAwayClaims(w, from, to);
  if (claims.length === 0) {
    rec.mark({ marker: 'claims-scaled', policy, claims });
    return;
  }
  if (policy === 'Retain') {
    // The watch goes on meanwhile: STS-PVC-RETENTION judges the whole window.
    await new Promise((r) => setTimeout(r, SCALE_SETTLE_MS));
    rec.mark({ marker: 'claims-scaled', policy, claims, settledMs: SCALE_SETTLE_MS });
    log(`watched the claims of the scaled-away ordinals for ${SCALE_SETTLE_MS / 1000}s after the scale-down (whenScaled: Retain): ${claims.join(', ')}`);
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

/** How long claims must stay after the StatefulSet's pods are gone for Retain to count as kept. */
export const RETAIN_SETTLE_MS = 3000;

/**
 * Deletes the StatefulSet (background propagation: the garbage collector removes its
 * pods, and with whenDeleted: Delete its claims, which upstream made the set's own) and
 * waits for the pods to go and, with Delete, the claims; with Retain it then watches
 * RETAIN_SETTLE_MS more. The `statefulset-delete` / `statefulset-deleted` markers bound
 * what STS-PVC-RETENTION judges.
 */
export async function deleteStatefulSet(cluster: Cluster, rec: Recorder, w: WorkloadInfo, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const policy = w.options?.pvcRetention.whenDeleted ?? 'Retain';
  const prefixes = w.claimTemplates.map((t) => `${t}-${w.statefulSet}-`);
  // Claims already being deleted (e.g. by whenScaled) are not the deletion's to judge.
  const claims = [...rec.pvcs].filter(([c, s]) => prefixes.some((p) => c.startsWith(p)) && !s.deletionTimestamp).map(([c]) => c).sort();
  rec.mark({ marker: 'statefulset-delete', claims });
  const deadline = Date.now() + timeoutMs;
  try {
    await retryTransient(() => cluster.apps.deleteNamespacedStatefulSet({ name: w.statefulSet, namespace: w.namespace, propagationPolicy: 'Background' }), {
      deadline, what: `deleting StatefulSet ${w.statefulSet}`,
    });
    const pods = new RegExp(`^${w.statefulSet}-\\d+$`);
    await rec.waitFor({
      describe: `the pods of the deleted StatefulSet ${w.statefulSet} to be gone${policy === 'Delete' ? `, and its claims (whenDeleted: Delete): ${claims.join(', ')}` : ''}`,
      timeoutMs: Math.max(1000, deadline - Date.now()),
      until: () => ([...rec.pods.keys()].some((p) => pods.test(p)) || (policy === 'Delete' && claims.some((c) => rec.pvcs.has(c))) ? undefined : true),
    });
    if (policy === 'Retain') await new Promise((r) => setTimeout(r, RETAIN_SETTLE_MS));
    rec.mark({ marker: 'statefulset-deleted', policy });
    log(`deleted StatefulSet ${w.statefulSet}; claims ${policy === 'Delete' ? 'deleted with it' : 'kept'} (whenDeleted: ${policy})`);
  } catch (err) {
    const why = describeError(err);
    rec.mark({ marker: 'statefulset-deleted', policy, ...(err instanceof ObservationError ? { unobserved: why } : { aborted: why }) });
    log(`deleting StatefulSet ${w.statefulSet} did not finish: ${why}`);
  }
}
