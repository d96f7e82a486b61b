// Surgery on recorded data, to turn a correct run into a violating one the way a buggy
// controller would have recorded it. Work on clones; the inputs are never modified.
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { PodSnapshot, Snapshot } from '../../../lib/probes/records.ts';
import type { PodState, TimelineEntry, WatchEntry } from '../../../lib/timeline/entries.ts';

export type Match = (e: TimelineEntry) => boolean;

export const clone = (input: CheckInput): CheckInput => structuredClone(input);

/** Matches a Pod watch entry by type, name and optionally UID / a state predicate. */
export function podEvent(type: WatchEntry['type'], name: string, uid?: string, state?: (s: PodState) => boolean): Match {
  return (e) =>
    e.type === type &&
    e.kind === 'Pod' &&
    e.name === name &&
    (uid === undefined || e.pod?.uid === uid) &&
    (state === undefined || (e.pod !== undefined && state(e.pod)));
}

/** The first MODIFIED entry at which pod `name` with `uid` shows Ready. */
export const becameReady = (name: string, uid: string): Match => podEvent('MODIFIED', name, uid, (s) => s.ready);

function indexOf(timeline: TimelineEntry[], match: Match, what: string): number {
  const i = timeline.findIndex(match);
  if (i < 0) throw new Error(`timeline-edit: no entry matches ${what}`);
  return i;
}

/** Keeps seq strictly increasing and t/wall non-decreasing after an edit. */
function renumber(timeline: TimelineEntry[]): void {
  let t = Number.NEGATIVE_INFINITY;
  let wall = Number.NEGATIVE_INFINITY;
  timeline.forEach((e, i) => {
    e.seq = i + 1;
    t = Math.max(t, e.t);
    wall = Math.max(wall, e.wall);
    e.t = t;
    e.wall = wall;
  });
}

/** Moves the first entry matching `what` to just before the first entry matching `before`. */
export function moveBefore(input: CheckInput, what: Match, before: Match): CheckInput {
  const out = clone(input);
  const from = indexOf(out.timeline, what, 'the entry to move');
  const [entry] = out.timeline.splice(from, 1);
  const to = indexOf(out.timeline, before, 'the anchor entry');
  const anchor = out.timeline[to];
  if (!entry || !anchor) throw new Error('timeline-edit: bad indices');
  // The moved event now happened when the anchor did.
  entry.t = anchor.t;
  entry.wall = anchor.wall;
  out.timeline.splice(to, 0, entry);
  renumber(out.timeline);
  return out;
}

/** Inserts `entry` (seq/t/wall taken from its new position) before the first match. */
export function insertBefore(input: CheckInput, before: Match, entry: DistributiveOmit<TimelineEntry, 'seq' | 't' | 'wall'>): CheckInput {
  const out = clone(input);
  const to = indexOf(out.timeline, before, 'the anchor entry');
  const anchor = out.timeline[to];
  if (!anchor) throw new Error('timeline-edit: bad index');
  out.timeline.splice(to, 0, { ...entry, seq: 0, t: anchor.t, wall: anchor.wall } as TimelineEntry);
  renumber(out.timeline);
  return out;
}

/** Appends an entry at the end of the timeline (after every marker). */
export function append(input: CheckInput, entry: DistributiveOmit<TimelineEntry, 'seq' | 't' | 'wall'>): CheckInput {
  const out = clone(input);
  const last = out.timeline.at(-1);
  const t = (last?.t ?? 0) + 10;
  out.timeline.push({ ...entry, seq: out.timeline.length + 1, t, wall: (last?.wall ?? 0) + 10 } as TimelineEntry);
  return out;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A pod from a snapshot, failing loudly (instead of `undefined`) when the fixture lacks it. */
export function podIn(snap: Snapshot, name: string): PodSnapshot {
  const p = snap.pods.find((x) => x.name === name);
  if (!p) throw new Error(`snapshot has no pod ${name}`);
  return p;
}

/** Edits a clone of `input` with `edit` and returns it. */
export function mutate(input: CheckInput, edit: (draft: CheckInput) => void): CheckInput {
  const out = clone(input);
  edit(out);
  return out;
}

/** `input` with pod states changed at the given run times (entries re-ordered by time, as a recording has them). */
export function withPodStates(input: CheckInput, changes: [number, string, Partial<PodState>][]): CheckInput {
  return mutate(input, (d) => {
    for (const [t, name, patch] of changes) {
      const last = d.timeline.filter((e): e is WatchEntry => e.type !== 'MARKER' && e.kind === 'Pod' && e.name === name && e.t <= t).at(-1);
      if (!last?.pod) throw new Error(`no state of ${name} before t=${t}`);
      d.timeline.push({ ...last, type: 'MODIFIED', t, wall: last.wall + (t - last.t), pod: { ...last.pod, ...patch } });
    }
    d.timeline.sort((a, b) => a.t - b.t);
    d.timeline.forEach((e, i) => {
      e.seq = i + 1;
    });
  });
}
