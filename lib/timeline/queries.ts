// The queries every reader of the timeline shares, defined once: what Ready means, what
// "present" means, a pod's generations (one per UID), and typed marker lookup.
import { clusterClock, judgingOffset } from './cluster-clock.ts';
import type { MarkerName, MarkerOf, PodState, TimelineEntry, WatchEntry } from './entries.ts';

export type PodEntry = WatchEntry & { kind: 'Pod'; pod: PodState };

/** Timeline in arrival order; callers must not rely on the array being pre-sorted. */
export function inOrder(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  return [...timeline].sort((a, b) => a.seq - b.seq);
}

export function isPodEntry(e: TimelineEntry): e is PodEntry {
  return e.type !== 'MARKER' && e.kind === 'Pod' && e.pod !== undefined;
}

/** The pod's state if the entry shows it present (not DELETED), else undefined. */
export function presentState(e: PodEntry | undefined): PodState | undefined {
  return e && e.type !== 'DELETED' ? e.pod : undefined;
}

/**
 * When readiness is judged: with `minReadySeconds` > 0 a pod counts as ready only once
 * it is Available, i.e. its Ready condition has held that long by wall time `wall`
 * (the harness's, ms since epoch) read on the cluster's clock: `wall + clusterOffsetMs`
 * (lib/timeline/cluster-clock.ts; 0 when not given). Without it (or with 0), Ready is enough.
 */
export interface ReadyAt {
  minReadySeconds?: number;
  wall: number;
  clusterOffsetMs?: number;
}

/**
 * THE definition of Ready used by every wait, check and timing: the pod is present,
 * Running, its Ready condition is true and it is not being deleted. It is what the
 * StatefulSet controller's isRunningAndReady demands of predecessors (plus "not
 * terminating", which the controller checks separately before it proceeds). Given
 * `at` with minReadySeconds > 0 it is the controller's isRunningAndAvailable as well
 * (pkg/controller/statefulset: OrderedReady waits for each predecessor to be Running,
 * Ready and Available): Ready since at least minReadySeconds before `at.wall`.
 */
// What the kubelet says when a container's image cannot be had (not a transient state).
const PULL_FAILURES = /^(ErrImagePull|ImagePullBackOff|ErrImageNeverPull|InvalidImageName)\b/;

/** The reason a pod's image cannot be pulled, if the kubelet reported one. */
export const pullFailure = (pod: PodState | undefined): string | undefined => pod?.waiting?.find((w) => PULL_FAILURES.test(w));

export function isReady(pod: PodState | undefined, at?: ReadyAt): boolean {
  if (pod?.phase !== 'Running' || !pod.ready || pod.deletionTimestamp) return false;
  return at === undefined || availableFrom(pod, at.minReadySeconds ?? 0) <= at.wall + (at.clusterOffsetMs ?? 0);
}

/**
 * Cluster time (ms since epoch) from which a Ready pod is Available: its Ready condition's
 * lastTransitionTime plus minReadySeconds (upstream podutil.IsPodAvailable). That time
 * has second precision, truncated, so this errs early: a predecessor is never judged
 * unavailable when the controller could have seen it Available. A Ready pod without
 * the time is taken as Available at once, for the same reason.
 */
export function availableFrom(pod: PodState, minReadySeconds: number): number {
  if (minReadySeconds <= 0) return Number.NEGATIVE_INFINITY;
  const since = pod.readySince ? Date.parse(pod.readySince) : Number.NaN;
  return Number.isFinite(since) ? since + minReadySeconds * 1000 : Number.NEGATIVE_INFINITY;
}

/** The workload's minReadySeconds (0 in older recordings). */
export function minReadySecondsOf(workload: { options?: { minReadySeconds: number } }): number {
  return workload.options?.minReadySeconds ?? 0;
}

export function isTerminating(pod: PodState | undefined): boolean {
  return !!pod?.deletionTimestamp;
}

/** The ordinal of `name` if it is one of the StatefulSet's pods, else undefined. */
export function ordinalOf(statefulSet: string, name: string): number | undefined {
  if (!name.startsWith(`${statefulSet}-`)) return undefined;
  const rest = name.slice(statefulSet.length + 1);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

/** Index of the first marker named `name` at or after `from` that satisfies `match`, or -1. */
export function findMarker<N extends MarkerName>(
  entries: readonly TimelineEntry[],
  name: N,
  from = 0,
  match?: (m: MarkerOf<N>) => boolean,
): number {
  for (let i = Math.max(0, from); i < entries.length; i++) {
    const e = entries[i];
    if (e?.type === 'MARKER' && e.marker === name && (!match || match(e as MarkerOf<N>))) return i;
  }
  return -1;
}

/** The marker at `index` if it is one named `name`. */
export function markerAt<N extends MarkerName>(entries: readonly TimelineEntry[], index: number, name: N): MarkerOf<N> | undefined {
  const e = entries[index];
  return e?.type === 'MARKER' && e.marker === name ? (e as MarkerOf<N>) : undefined;
}

/** Every marker named `name`, with its index, in timeline order. */
export function markersOf<N extends MarkerName>(entries: readonly TimelineEntry[], name: N): { index: number; marker: MarkerOf<N> }[] {
  const out: { index: number; marker: MarkerOf<N> }[] = [];
  entries.forEach((e, index) => {
    if (e.type === 'MARKER' && e.marker === name) out.push({ index, marker: e as MarkerOf<N> });
  });
  return out;
}

/** The last thing the watch said about each pod: its state, or that it was deleted. */
export class PodView {
  readonly #last = new Map<string, PodEntry>();

  apply(e: TimelineEntry): void {
    if (isPodEntry(e)) this.#last.set(e.name, e);
  }

  get(name: string): PodEntry | undefined {
    return this.#last.get(name);
  }

  /** The pod's state while present; undefined when never seen or deleted. */
  state(name: string): PodState | undefined {
    return presentState(this.#last.get(name));
  }

  isReady(name: string, at?: ReadyAt): boolean {
    return isReady(this.state(name), at);
  }

  describe(name: string): string {
    return describeEntry(this.#last.get(name));
  }
}

/** A one-line description of what a pod entry shows, for messages and evidence. */
export function describeEntry(e: PodEntry | undefined): string {
  if (!e) return 'not created yet';
  if (e.type === 'DELETED') return `deleted (uid ${e.pod.uid}) at t=${e.t}ms`;
  return `${describeState(e.pod)} (uid ${e.pod.uid}, as of t=${e.t}ms)`;
}

export function describeState(p: PodState): string {
  const parts = [p.phase, p.ready ? 'ready' : 'not ready'];
  if (p.deletionTimestamp) parts.push('terminating');
  if (p.waiting?.length) parts.push(`waiting: ${p.waiting.join(', ')}`);
  return parts.join(', ');
}

/** Where in the (ordered) timeline something happened. */
export interface Moment {
  index: number;
  seq: number;
  t: number;
}

/** One pod object (one UID) behind a stable name, from first sight to deletion. */
export interface PodGeneration {
  name: string;
  uid: string;
  /** The first entry that showed this UID. */
  first: Moment;
  /** Its ADDED; absent when the pod existed before the watch began. */
  added?: Moment & { relisted: boolean };
  running?: Moment;
  /** First moment its Ready condition held (isReady without minReadySeconds). */
  ready?: Moment;
  /** First moment it showed a deletionTimestamp (or its DELETED, if it left at once). */
  terminating?: Moment;
  deleted?: Moment;
  last: PodEntry;
}

/**
 * Every pod generation in `entries` (which must be in timeline order), by pod name,
 * oldest first. Moments index into `entries`.
 */
export function podGenerations(entries: readonly TimelineEntry[]): Map<string, PodGeneration[]> {
  const byName = new Map<string, PodGeneration[]>();
  entries.forEach((e, index) => {
    if (!isPodEntry(e)) return;
    const at: Moment = { index, seq: e.seq, t: e.t };
    const list = byName.get(e.name) ?? [];
    byName.set(e.name, list);
    let g = list.find((x) => x.uid === e.pod.uid);
    if (!g) {
      g = { name: e.name, uid: e.pod.uid, first: at, last: e };
      list.push(g);
    }
    g.last = e;
    if (e.type === 'ADDED' && !g.added) g.added = { ...at, relisted: !!e.relisted };
    if (e.type === 'DELETED') {
      g.deleted ??= at;
      g.terminating ??= at;
      return;
    }
    if (e.pod.phase === 'Running') g.running ??= at;
    if (isReady(e.pod)) g.ready ??= at;
    if (e.pod.deletionTimestamp) g.terminating ??= at;
  });
  return byName;
}

/** When a pod generation turned ready: the entry that showed it Ready, and the run time it became ready by isReady. */
export interface ReadyMoment {
  entry: PodEntry;
  /** entry.t, or later with minReadySeconds: the run time readySince + minReadySeconds fell on. */
  t: number;
}

/**
 * The first moment in entries (from, to) at which pod `name` with `uid` was ready by
 * isReady (Available, with minReadySeconds > 0) and `accept`s its state (e.g. the
 * revision). Available falls between entries: it counts when the pod's next entry, or
 * the entry that closes the range (entries[to], else the last), comes after it without
 * the pod having left Ready before.
 */
export function readyMoment(
  entries: readonly TimelineEntry[],
  name: string,
  uid: string,
  range: { from: number; to: number },
  minReadySeconds: number,
  accept: (pod: PodState) => boolean = () => true,
  clusterOffsetMs: number = judgingOffset(clusterClock(entries)),
): ReadyMoment | undefined {
  const to = Math.min(range.to, entries.length);
  const own = (e: TimelineEntry | undefined): e is PodEntry => !!e && isPodEntry(e) && e.name === name && e.pod.uid === uid;
  for (let i = range.from + 1; i < to; i++) {
    const e = entries[i];
    if (!own(e) || e.type === 'DELETED' || !isReady(e.pod) || !accept(e.pod)) continue;
    // On the harness's clock: the cluster's time minus the offset (pass a slice's full timeline's).
    const available = availableFrom(e.pod, minReadySeconds) - clusterOffsetMs;
    if (available <= e.wall) return { entry: e, t: e.t };
    let next: PodEntry | undefined;
    for (let j = i + 1; j < to && !next; j++) if (own(entries[j])) next = entries[j] as PodEntry;
    // A change of the pod before it turned Available is judged when the loop reaches it.
    if (next && next.wall < available) continue;
    const last = entries[Math.min(to, entries.length - 1)];
    const t = e.t + (available - e.wall);
    if (next || (last && last.wall >= available)) return { entry: e, t: Math.round(t * 10) / 10 };
    return undefined;
  }
  return undefined;
}
