// Recovery timings, derived after the fact from the recorded timeline rather than
// measured by polling, so they are as precise as the watch stream and reproducible.
import type { PlannedDisruption, PodRecovery, RoundPlan } from '../model.ts';
import { clusterClock, judgingOffset } from './cluster-clock.ts';
import { killsIn, taintEvictionOf } from './kills.ts';
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
  // `after` below is a slice: availability is judged with the whole timeline's clock offset.
  const offset = judgingOffset(clusterClock(entries));
  return plan.kills.map((kill) => recoveryOf(entries, kills, plan, kill, window, minReadySeconds, offset));
}

/** One killed pod's entries after its kill marker, and the UID it killed. */
interface KillView {
  pod: string;
  /** The restart count the kill marker recorded (0 without one). */
  restartCount: number;
  killedAt: number;
  /** Entries from the kill marker to the round's end. */
  after: TimelineEntry[];
  /** Of those, the killed pod's (any UID). */
  own: PodEntry[];
  oldUid: string | undefined;
  /** ms from the kill to an entry. */
  rel: (e: TimelineEntry | undefined) => number | undefined;
  /** The whole timeline's cluster clock offset (`after` is a slice). */
  offset: number;
}

function recoveryOf(
  entries: TimelineEntry[],
  kills: ReturnType<typeof killsIn>,
  plan: RoundPlan,
  kill: PlannedDisruption,
  window: { start: number; end: number },
  minReadySeconds: number,
  offset: number,
): PodRecovery {
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
  const v: KillView = { pod: kill.pod, restartCount: marker?.restartCount ?? 0, killedAt, after, own, oldUid, rel, offset };
  const recovery: PodRecovery = { pod: kill.pod, round: plan.round, action: kill.action, expect, killedAt, recovered: false };
  const fromNode = [...before, ...own]
    .filter((e): e is PodEntry => isPodEntry(e) && e.name === kill.pod && e.pod.uid === oldUid && !!e.pod.node)
    .at(-1)?.pod.node;
  if (fromNode) recovery.fromNode = fromNode;
  const down = after.find(
    (e) => e.type === 'MARKER' && e.marker === 'node-down' && e.round === plan.round && (e.pod === kill.pod || e.uid === oldUid),
  );
  if (down?.type === 'MARKER' && down.marker === 'node-down') {
    const up = after.find((e) => e.type === 'MARKER' && e.marker === 'node-up' && e.node === down.node && e.t >= down.t);
    recovery.nodeDown = { node: down.node, downMs: rel(down) ?? 0, ...(up ? { upMs: rel(up) } : {}) };
  }
  // A pod the kill was to keep that the node's taint eviction deleted is timed as replaced, as STS-RECOVERY judges it.
  const kept = expect === 'refused' || expect === 'unaffected' || expect === 'stays' || expect === 'restarted-in-place';
  const evicted = kept && oldUid ? taintEvictionOf(entries, oldUid) : undefined;
  // From the round's start: an eviction already under way when the kill came counts too (STS-RECOVERY judges it so).
  const byNode = evicted && evicted.t >= window.start && evicted.t <= window.end ? evicted : undefined;
  if (byNode) recovery.taintEvictedMs = Math.round((byNode.t - killedAt) * 10) / 10;
  if ((expect === 'refused' || expect === 'unaffected' || expect === 'stays') && !byNode) {
    recovery.recovered = keptRecovered(v, expect);
    return recovery;
  }
  const inPlace = expect === 'restarted-in-place' && !byNode;
  if (inPlace && fromNode) recovery.toNode = fromNode;
  const ready = inPlace ? timeRestart(v, recovery, minReadySeconds) : timeReplacement(v, recovery, minReadySeconds);
  if (ready) recovery.readyMs = Math.round((ready.t - killedAt) * 10) / 10;
  recovery.recovered = ready !== undefined;
  for (const k of ['deletedMs', 'recreatedMs', 'runningMs', 'restartedMs', 'readyMs'] as const)
    if (recovery[k] === undefined) delete recovery[k];
  const since = ready?.entry.pod.readySince ? Date.parse(ready.entry.pod.readySince) : Number.NaN;
  if (ready && Number.isFinite(since)) recovery.detectionLatencyMs = ready.entry.wall - since;
  return recovery;
}

/** A kill that must leave its pod alone: recovered when the pod stayed (and, `unaffected`, stayed as it was). */
function keptRecovered({ own, oldUid, restartCount }: KillView, expect: 'refused' | 'unaffected' | 'stays'): boolean {
  const gone = own.some((e) => e.pod.uid === oldUid && (e.type === 'DELETED' || e.pod.deletionTimestamp));
  // Refused: nothing happened to recover from, so the pod counts as recovered if it stayed.
  if (expect === 'refused') return !gone;
  // Unaffected (a kubelet restart): recovered when it kept its UID, restarted no container
  // and was Ready by the round's end (no change at all counts).
  const same = own.filter((e) => e.type !== 'DELETED' && e.pod.uid === oldUid);
  // Stays (a full disk): restarts allowed, the pod must stay and be Ready.
  const restarted = expect === 'unaffected' && same.some((e) => (e.pod.restartCount ?? 0) > restartCount);
  const last = same.at(-1);
  return !gone && !restarted && (last === undefined || isReady(last.pod));
}

/** Restarted in place: when the restart count rose, and Ready again after it. */
function timeRestart(
  { pod, own, oldUid, after, restartCount, rel, offset }: KillView,
  recovery: PodRecovery,
  minReadySeconds: number,
): ReadyMoment | undefined {
  const same = own.filter((e) => e.type !== 'DELETED' && e.pod.uid === oldUid);
  const restarted = same.findIndex((e) => (e.pod.restartCount ?? 0) > restartCount);
  recovery.restartedMs = rel(same[restarted]);
  return restarted < 0 || !oldUid
    ? undefined
    : readyMoment(
        after,
        pod,
        oldUid,
        { from: after.indexOf(same[restarted] as PodEntry) - 1, to: after.length },
        minReadySeconds,
        undefined,
        offset,
      );
}

/** Replaced: when the old pod left the API, the replacement appeared, ran and became Ready, and on which node. */
function timeReplacement(
  { pod, own, oldUid, after, rel, offset }: KillView,
  recovery: PodRecovery,
  minReadySeconds: number,
): ReadyMoment | undefined {
  const deleted = own.find((e) => e.type === 'DELETED' && e.pod.uid === oldUid);
  const created = own.find((e) => e.type !== 'DELETED' && e.pod.uid !== oldUid);
  const fresh = own.filter((e) => e.type !== 'DELETED' && created && e.pod.uid === created.pod.uid);
  recovery.deletedMs = rel(deleted);
  recovery.recreatedMs = rel(created);
  recovery.runningMs = rel(fresh.find((e) => e.pod.phase === 'Running'));
  const toNode = fresh.filter((e) => !!e.pod.node).at(-1)?.pod.node;
  if (toNode) recovery.toNode = toNode;
  return created ? readyMoment(after, pod, created.pod.uid, { from: -1, to: after.length }, minReadySeconds, undefined, offset) : undefined;
}
