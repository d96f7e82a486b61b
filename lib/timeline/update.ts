// The update phase as the checks read it (the marker contract: update-start ->
// update-revision -> update-complete per step, 'forward' then maybe 'rollback'), and who
// ended each pod generation during a step: the run's chaos (a kill marker for that UID
// whose disruption ends the pod), the harness as an operator (operator-delete,
// operator-force-delete) or nobody the run knows of, which during a RollingUpdate is the
// controller replacing the pod for the update.
import { ordinals, podName, startOrdinal } from '../names.ts';
import type { WorkloadInfo } from '../types.ts';
import { endsThePod, killsIn } from './kills.ts';
import { findMarker, isPodEntry, markerAt, markersOf, ordinalOf, podGenerations, type Moment, type PodEntry } from './queries.ts';
import type { MarkerOf, TimelineEntry } from './types.ts';

export interface UpdateStep {
  step: 'forward' | 'rollback';
  startIdx: number;
  start: MarkerOf<'update-start'>;
  revisionIdx: number; // -1 when the controller never named the target
  revision?: MarkerOf<'update-revision'>;
  completeIdx: number; // -1 when the run stopped first
  complete?: MarkerOf<'update-complete'>;
  /** Where the step's window closes: its update-complete, else the next step's start, else the timeline's end. */
  end: number;
}

/** Every update step in `entries` (timeline order), forward first. */
export function updateSteps(entries: readonly TimelineEntry[]): UpdateStep[] {
  const starts = markersOf(entries, 'update-start');
  return starts.map(({ index, marker }, k) => {
    const next = starts[k + 1]?.index ?? entries.length;
    const within = (name: 'update-revision' | 'update-complete'): number => {
      const i = findMarker(entries, name, index + 1, (m) => m.step === marker.step);
      return i >= 0 && i < next ? i : -1;
    };
    const revisionIdx = within('update-revision');
    const completeIdx = within('update-complete');
    const revision = markerAt(entries, revisionIdx, 'update-revision');
    const complete = markerAt(entries, completeIdx, 'update-complete');
    return {
      step: marker.step, startIdx: index, start: marker, revisionIdx, completeIdx, end: completeIdx >= 0 ? completeIdx : next,
      ...(revision ? { revision } : {}), ...(complete ? { complete } : {}),
    };
  });
}

/** Why a pod generation ended, as far as the run knows. */
export type EndCause = 'kill' | 'operator-delete' | 'operator-force-delete' | 'failed-pod' | 'unexplained';

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
export function terminationsIn(entries: readonly TimelineEntry[], workload: WorkloadInfo, range: { from: number; to: number }): Termination[] {
  const explained = new Map<string, { index: number; cause: EndCause }[]>();
  const explain = (uid: string, index: number, cause: EndCause): void => {
    explained.set(uid, [...(explained.get(uid) ?? []), { index, cause }]);
  };
  for (const k of killsIn(entries)) if (endsThePod(k.expect)) explain(k.marker.uid, k.index, 'kill');
  for (const { index, marker } of markersOf(entries, 'operator-delete')) explain(marker.uid, index, 'operator-delete');
  for (const { index, marker } of markersOf(entries, 'operator-force-delete')) explain(marker.uid, index, 'operator-force-delete');
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
      const successor = next
        ? { uid: next.uid, added: next.added ?? next.first, ...(revisionOf(entries, next.added ?? next.first) ? { revision: revisionOf(entries, next.added ?? next.first) } : {}) }
        : undefined;
      const revision = (entries[at.index] as PodEntry).pod.revision ?? before?.pod.revision;
      out.push({ pod: name, ordinal, uid: g.uid, at, cause, ...(revision ? { revision } : {}), ...(g.deleted ? { deleted: g.deleted } : {}), ...(successor ? { successor } : {}) });
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
  return entries.filter((e): e is MarkerOf<'watch-gap'> => e.type === 'MARKER' && e.marker === 'watch-gap' && e.kind === 'Pod' && e.from <= to && e.to >= from);
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
