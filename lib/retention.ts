// After the final scale-down: the claims of the ordinals it removed must go when
// persistentVolumeClaimRetentionPolicy.whenScaled is Delete (upstream, the controller
// makes each condemned pod the claim's owner and the garbage collector deletes the
// claim once the pod is gone) and stay when it is Retain. The run waits for the
// deletions to show on the watch, bounded by --timeout, and records a `claims-scaled`
// marker that STS-PVC-RETENTION judges from.
import { ObservationError, describeError } from './errors.ts';
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

export async function settleScaledClaims(rec: Recorder, w: WorkloadInfo, from: number, to: number, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const policy = w.options?.pvcRetention.whenScaled ?? 'Retain';
  const claims = scaledAwayClaims(w, from, to);
  if (policy === 'Retain' || claims.length === 0) {
    rec.mark({ marker: 'claims-scaled', policy, claims });
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
