// The queries every reader of the timeline shares, defined once: what Ready means, what
// "present" means, a pod's generations (one per UID), and typed marker lookup.
import type { MarkerName, MarkerOf, PodState, TimelineEntry, WatchEntry } from './types.ts';

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
 * THE definition of Ready used by every wait, check and timing: the pod is present,
 * Running, its Ready condition is true and it is not being deleted. It is what the
 * StatefulSet controller's isRunningAndReady demands of predecessors (plus "not
 * terminating", which the controller checks separately before it proceeds).
 */
export function isReady(pod: PodState | undefined): boolean {
  return !!pod && pod.phase === 'Running' && pod.ready && !pod.deletionTimestamp;
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

  isReady(name: string): boolean {
    return isReady(this.state(name));
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
  /** First moment isReady() held. */
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
