// Recovery timings, derived after the fact from the recorded timeline rather than
// measured by polling, so they are as precise as the watch stream and reproducible.
import type { PodRecovery, RoundPlan } from '../types.ts';
import { findMarker, inOrder, isPodEntry, markerAt, readyMoment, type PodEntry } from './queries.ts';
import type { TimelineEntry } from './types.ts';

/**
 * For each pod killed in `plan`, when (relative to its kill marker) the old pod left the
 * API, the replacement appeared, ran and became Ready. Only entries up to `window.end`
 * count. `detectionLatencyMs` compares the harness's wall clock with the kubelet's Ready
 * transition time; that timestamp has second precision, so the figure is an upper bound
 * that may overstate the real latency by up to 1 s (and includes any clock skew).
 */
export function recoveriesForRound(
  timeline: readonly TimelineEntry[],
  plan: RoundPlan,
  window: { start: number; end: number },
  /** With > 0, "Ready" is Available: Ready for that long (lib/timeline/queries.ts isReady). */
  minReadySeconds = 0,
): PodRecovery[] {
  const entries = inOrder(timeline);
  return plan.kills.map((kill) => {
    const markerIdx = findMarker(entries, 'kill', 0, (m) => m.round === plan.round && m.pod === kill.pod);
    const marker = markerAt(entries, markerIdx, 'kill');
    // Without a kill marker the round start is the best available reference point.
    const killedAt = marker?.t ?? window.start;
    const from = marker ? markerIdx + 1 : entries.findIndex((e) => e.t >= window.start);
    const before = from < 0 ? entries : entries.slice(0, from);
    const after = (from < 0 ? [] : entries.slice(from)).filter((e) => e.t <= window.end);

    const own = after.filter((e): e is PodEntry => isPodEntry(e) && e.name === kill.pod);
    // The marker names the UID killed; older timelines without it fall back to the last
    // UID seen before the kill, or the first terminating view.
    const oldUid =
      marker?.uid ||
      before.filter((e): e is PodEntry => isPodEntry(e) && e.name === kill.pod).at(-1)?.pod.uid ||
      own.find((e) => e.type === 'DELETED' || e.pod.deletionTimestamp)?.pod.uid;

    // Timeline times have 0.1 ms resolution; keep the differences at that resolution too.
    const rel = (e: TimelineEntry | undefined): number | undefined => (e ? Math.round((e.t - killedAt) * 10) / 10 : undefined);
    const deleted = own.find((e) => e.type === 'DELETED' && e.pod.uid === oldUid);
    const created = own.find((e) => e.type !== 'DELETED' && e.pod.uid !== oldUid);
    const fresh = own.filter((e) => e.type !== 'DELETED' && created && e.pod.uid === created.pod.uid);
    const running = fresh.find((e) => e.pod.phase === 'Running');
    const ready = created ? readyMoment(after, kill.pod, created.pod.uid, { from: -1, to: after.length }, minReadySeconds) : undefined;

    const recovery: PodRecovery = {
      pod: kill.pod,
      round: plan.round,
      action: kill.action,
      killedAt,
      deletedMs: rel(deleted),
      recreatedMs: rel(created),
      runningMs: rel(running),
      readyMs: ready ? Math.round((ready.t - killedAt) * 10) / 10 : undefined,
      recovered: ready !== undefined,
    };
    const since = ready?.entry.pod.readySince ? Date.parse(ready.entry.pod.readySince) : Number.NaN;
    if (ready && Number.isFinite(since)) recovery.detectionLatencyMs = ready.entry.wall - since;
    return recovery;
  });
}
