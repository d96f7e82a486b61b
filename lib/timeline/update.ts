// The update phase as recorded (lib/update/session.ts, markers in ./entries.ts:
// update-start -> update-revision -> update-complete per step, 'forward' then maybe
// 'rollback'): its steps, which pod replacements they explain, and who ended each pod
// generation during a step: the run's chaos (a kill marker for that UID whose disruption
// ends the pod), the harness as an operator (operator-delete, operator-force-delete), the
// node (taint eviction, ./kills.ts) or nobody the run knows of, which during a RollingUpdate is the controller replacing the
// pod for the update. A RollingUpdate step's controller deletes every pod at ordinal >=
// start + partition not yet at the step's revision; an OnDelete step's pods go only by
// the harness's own 'operator-delete'. Checks that count unplanned replacements
// (STS-RECOVERY) ask here before calling one unexplained; the STS-UPDATE-* checks judge
// the steps.
import { ordinals, podName, startOrdinal } from '../names.ts';
import type { RoundResult, WorkloadInfo } from '../model.ts';
import { endsThePod, killsIn, taintEvictionsIn } from './kills.ts';
import {
  findMarker,
  isPodEntry,
  markerAt,
  markersOf,
  ordinalOf,
  podGenerations,
  type Moment,
  type PodEntry,
  type PodGeneration,
} from './queries.ts';
import type { MarkerOf, TimelineEntry } from './entries.ts';

export interface UpdateStep {
  step: 'forward' | 'rollback';
  startIdx: number;
  start: MarkerOf<'update-start'>;
  /** The step's target revision (update-revision), when it was named. */
  to?: string;
  revisionIdx: number; // -1 when the controller never named the target
  complete?: MarkerOf<'update-complete'>;
  completeIdx: number; // -1 when the run stopped first
  /**
   * Where the controller's work for the step ends: its update-complete when it converged;
   * otherwise it carries on after a timed-out wait, until the next step starts, the run
   * scales the StatefulSet down or deletes it (whose deletions are not the update's), or
   * the timeline ends.
   */
  endIdx: number;
}

export function updateSteps(entries: readonly TimelineEntry[]): UpdateStep[] {
  const starts = markersOf(entries, 'update-start');
  return starts.map(({ index, marker }, k) => {
    const within = (name: 'update-revision' | 'update-complete'): number =>
      findMarker(entries, name, index + 1, (m) => m.step === marker.step);
    const revisionIdx = within('update-revision');
    const completeIdx = within('update-complete');
    const to = markerAt(entries, revisionIdx, 'update-revision')?.to;
    const complete = markerAt(entries, completeIdx, 'update-complete');
    const stops = [
      starts[k + 1]?.index ?? entries.length,
      findMarker(entries, 'scale-down', index),
      findMarker(entries, 'statefulset-delete', index),
    ].filter((i) => i >= 0);
    const endIdx = complete?.converged ? completeIdx : Math.min(...stops);
    return {
      step: marker.step,
      startIdx: index,
      start: marker,
      revisionIdx,
      completeIdx,
      endIdx,
      ...(to !== undefined ? { to } : {}),
      ...(complete ? { complete } : {}),
    };
  });
}

/**
 * Whether `gen` ending at entries[goneIdx] is the update's doing: inside a step, an
 * operator-delete of its UID, or (RollingUpdate) a pod at or above the partition that did
 * not run the step's revision. A pod below the partition is never the update's to replace.
 */
export function replacedByUpdate(
  entries: readonly TimelineEntry[],
  steps: readonly UpdateStep[],
  workload: WorkloadInfo,
  gen: PodGeneration,
  goneIdx: number,
): boolean {
  for (const s of steps) {
    if (goneIdx <= s.startIdx || goneIdx >= s.endIdx) continue;
    const operator = entries
      .slice(s.startIdx, goneIdx)
      .some((e) => e.type === 'MARKER' && e.marker === 'operator-delete' && e.uid === gen.uid);
    if (operator) return true;
    if (s.start.strategy !== 'RollingUpdate' || s.to === undefined) continue;
    const ordinal = ordinalOf(workload.statefulSet, gen.name);
    if (ordinal !== undefined && ordinal >= startOrdinal(workload) + s.start.partition && gen.last.pod.revision !== s.to) return true;
  }
  return false;
}

/** The steps that began at or after timeline index `from`, as a round's result records them. */
export function stepSpans(entries: readonly TimelineEntry[], from: number): NonNullable<RoundResult['updates']> {
  return updateSteps(entries)
    .filter((s) => s.startIdx >= from)
    .map((s) => ({
      step: s.start.step,
      startMs: s.start.t,
      converged: s.complete?.converged ?? false,
      ...(s.complete ? { endMs: s.complete.t } : {}),
    }));
}

/** The index of the update-start that opens the round starting at `roundStart` (it comes just before it), or -1. */
export function updateStartBefore(entries: readonly TimelineEntry[], roundStart: number): number {
  for (let i = roundStart - 1; i >= 0; i--) {
    const e = entries[i] as TimelineEntry;
    if (e.type !== 'MARKER') continue;
    if (e.marker === 'update-start') return i;
    if (e.marker === 'round-end' || e.marker === 'baseline' || e.marker === 'update-complete') return -1;
  }
  return -1;
}

/** Why a pod generation ended, as far as the run knows. */
export type EndCause = 'kill' | 'operator-delete' | 'operator-force-delete' | 'taint-eviction' | 'failed-pod' | 'unexplained';

export interface Termination {
  pod: string;
  ordinal: number;
  uid: string;
  /** The generation's revision when it began terminating. */
  revision?: string;
  /** First entry showing it terminating (deletionTimestamp, or its DELETED). */
  at: Moment;
  deleted?: Moment;
  cause: EndCause;
  /** The next generation of the same name, if it was seen. */
  successor?: { uid: string; added: Moment; revision?: string };
}

/**
 * Every generation of the StatefulSet's pods that began terminating in entries
 * (from, to), with its cause. A kill or operator marker explains a termination only if
 * it came first; a generation already terminating before it is someone else's doing.
 */
export function terminationsIn(
  entries: readonly TimelineEntry[],
  workload: WorkloadInfo,
  range: { from: number; to: number },
): Termination[] {
  const explained = new Map<string, { index: number; cause: EndCause }[]>();
  const explain = (uid: string, index: number, cause: EndCause): void => {
    explained.set(uid, [...(explained.get(uid) ?? []), { index, cause }]);
  };
  for (const k of killsIn(entries)) if (endsThePod(k.expect)) explain(k.marker.uid, k.index, 'kill');
  for (const { index, marker } of markersOf(entries, 'operator-delete')) explain(marker.uid, index, 'operator-delete');
  for (const { index, marker } of markersOf(entries, 'operator-force-delete')) explain(marker.uid, index, 'operator-force-delete');
  // The node's deletion, not the controller's (lib/timeline/kills.ts): its moment is the termination itself.
  for (const ev of taintEvictionsIn(entries)) explain(ev.uid, ev.index - 1, 'taint-eviction');
  const out: Termination[] = [];
  for (const [name, gens] of podGenerations(entries)) {
    const ordinal = ordinalOf(workload.statefulSet, name);
    if (ordinal === undefined || ordinal < startOrdinal(workload)) continue;
    gens.forEach((g, i) => {
      const at = g.terminating;
      if (!at || at.index <= range.from || at.index >= range.to) return;
      const before = lastStateBefore(entries, name, g.uid, at.index);
      const byRun = explained.get(g.uid)?.find((x) => x.index < at.index);
      // The controller deletes a Failed or Succeeded pod to recreate it, under any strategy.
      const finished = before && ['Failed', 'Succeeded'].includes(before.pod.phase);
      const cause: EndCause = byRun?.cause ?? (finished ? 'failed-pod' : 'unexplained');
      const next = gens[i + 1];
      const added = next ? (next.added ?? next.first) : undefined;
      const nextRevision = added ? revisionOf(entries, added) : undefined;
      const successor = next && added ? { uid: next.uid, added, ...(nextRevision ? { revision: nextRevision } : {}) } : undefined;
      const revision = (entries[at.index] as PodEntry).pod.revision ?? before?.pod.revision;
      out.push({
        pod: name,
        ordinal,
        uid: g.uid,
        at,
        cause,
        ...(revision ? { revision } : {}),
        ...(g.deleted ? { deleted: g.deleted } : {}),
        ...(successor ? { successor } : {}),
      });
    });
  }
  return out.sort((a, b) => a.at.index - b.at.index);
}

function revisionOf(entries: readonly TimelineEntry[], m: Moment): string | undefined {
  const e = entries[m.index];
  return e && isPodEntry(e) ? e.pod.revision : undefined;
}

function lastStateBefore(entries: readonly TimelineEntry[], name: string, uid: string, index: number): PodEntry | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const e = entries[i];
    if (e && isPodEntry(e) && e.name === name && e.pod.uid === uid) return e;
  }
  return undefined;
}

/** Pod watch gaps overlapping run times [from, to]. */
export function podGapsBetween(entries: readonly TimelineEntry[], from: number, to: number): MarkerOf<'watch-gap'>[] {
  return entries.filter(
    (e): e is MarkerOf<'watch-gap'> => e.type === 'MARKER' && e.marker === 'watch-gap' && e.kind === 'Pod' && e.from <= to && e.to >= from,
  );
}

/** What each of the StatefulSet's ordinals showed last before `index`: present with a revision, or absent. */
export function podsAt(entries: readonly TimelineEntry[], workload: WorkloadInfo, index: number): Map<string, PodEntry | undefined> {
  const out = new Map<string, PodEntry | undefined>();
  for (const o of ordinals(workload)) out.set(podName(workload, o), undefined);
  for (let i = 0; i < Math.min(index, entries.length); i++) {
    const e = entries[i];
    if (e && isPodEntry(e) && out.has(e.name)) out.set(e.name, e);
  }
  return out;
}

/** The skip message shared by the update checks when the run had no update phase. */
export const NO_UPDATE = 'the run had no update phase (no update-start marker; --update none)';
