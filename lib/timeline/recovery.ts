// Recovery timings, derived after the fact from the recorded timeline rather than
// measured by polling, so they are as precise as the watch stream and reproducible.
import type { PodRecovery, RoundPlan } from '../model.ts';
import { killsIn } from './kills.ts';
import { findMarker, inOrder, isPodEntry, isReady, markerAt, readyMoment, type PodEntry, type ReadyMoment } from './queries.ts';
import type { TimelineEntry } from './entries.ts';

/**
 * For each pod killed in `plan`, when (relative to its kill marker) the old pod left the
 * API, the replacement appeared, ran and became Ready; for a pod restarted in place, when
 * its restart count rose and it was Ready again; for a refused kill, nothing to time. Only entries up to `window.end`
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
  const kills = killsIn(entries);
  return plan.kills.map((kill) => {
    const markerIdx = findMarker(entries, 'kill', 0, (m) => m.round === plan.round && m.pod === kill.pod);
    const marker = markerAt(entries, markerIdx, 'kill');
    const expect = kills.find((k) => k.index === markerIdx)?.expect ?? 'replaced';
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
    const recovery: PodRecovery = { pod: kill.pod, round: plan.round, action: kill.action, expect, killedAt, recovered: false };
    const fromNode = [...before, ...own].filter((e): e is PodEntry => isPodEntry(e) && e.name === kill.pod && e.pod.uid === oldUid && !!e.pod.node).at(-1)?.pod.node;
    if (fromNode) recovery.fromNode = fromNode;
    const down = after.find((e) => e.type === 'MARKER' && e.marker === 'node-down' && e.round === plan.round && (e.pod === kill.pod || e.uid === oldUid));
    if (down?.type === 'MARKER' && down.marker === 'node-down') {
      const up = after.find((e) => e.type === 'MARKER' && e.marker === 'node-up' && e.node === down.node && e.t >= down.t);
      recovery.nodeDown = { node: down.node, downMs: rel(down) ?? 0, ...(up ? { upMs: rel(up) } : {}) };
    }
    if (expect === 'refused') {
      // Nothing happened to recover from: the pod counts as recovered if it stayed.
      recovery.recovered = !own.some((e) => e.pod.uid === oldUid && (e.type === 'DELETED' || e.pod.deletionTimestamp));
      return recovery;
    }
    if (expect === 'unaffected') {
      // Nothing may happen to the pod (a kubelet restart): recovered when it kept its UID,
      // restarted no container and was Ready by the round's end (no change at all counts).
      const same = own.filter((e) => e.type !== 'DELETED' && e.pod.uid === oldUid);
      const gone = own.some((e) => e.pod.uid === oldUid && (e.type === 'DELETED' || e.pod.deletionTimestamp));
      const restarted = same.some((e) => (e.pod.restartCount ?? 0) > (marker?.restartCount ?? 0));
      const last = same.at(-1);
      recovery.recovered = !gone && !restarted && (last === undefined || isReady(last.pod));
      return recovery;
    }
    let ready: ReadyMoment | undefined;
    if (expect === 'restarted-in-place') {
      if (fromNode) recovery.toNode = fromNode;
      const before = marker?.restartCount ?? 0;
      const same = own.filter((e) => e.type !== 'DELETED' && e.pod.uid === oldUid);
      const restarted = same.findIndex((e) => (e.pod.restartCount ?? 0) > before);
      ready = restarted < 0 || !oldUid ? undefined : readyMoment(after, kill.pod, oldUid, { from: after.indexOf(same[restarted] as PodEntry) - 1, to: after.length }, minReadySeconds);
      recovery.restartedMs = rel(same[restarted]);
    } else {
      const deleted = own.find((e) => e.type === 'DELETED' && e.pod.uid === oldUid);
      const created = own.find((e) => e.type !== 'DELETED' && e.pod.uid !== oldUid);
      const fresh = own.filter((e) => e.type !== 'DELETED' && created && e.pod.uid === created.pod.uid);
      ready = created ? readyMoment(after, kill.pod, created.pod.uid, { from: -1, to: after.length }, minReadySeconds) : undefined;
      recovery.deletedMs = rel(deleted);
      recovery.recreatedMs = rel(created);
      recovery.runningMs = rel(fresh.find((e) => e.pod.phase === 'Running'));
      const toNode = fresh.filter((e) => !!e.pod.node).at(-1)?.pod.node;
      if (toNode) recovery.toNode = toNode;
    }
    if (ready) recovery.readyMs = Math.round((ready.t - killedAt) * 10) / 10;
    recovery.recovered = ready !== undefined;
    for (const k of ['deletedMs', 'recreatedMs', 'runningMs', 'restartedMs', 'readyMs'] as const) if (recovery[k] === undefined) delete recovery[k];
    const since = ready?.entry.pod.readySince ? Date.parse(ready.entry.pod.readySince) : Number.NaN;
    if (ready && Number.isFinite(since)) recovery.detectionLatencyMs = ready.entry.wall - since;
    return recovery;
  });
}
