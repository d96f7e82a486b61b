// The update phase as recorded (lib/update/session.ts): its steps, and which pod
// replacements they explain. A RollingUpdate step's controller deletes every pod at
// ordinal >= start + partition not yet at the step's revision; an OnDelete step's pods go
// only by the harness's own 'operator-delete'. Checks that count unplanned replacements
// (STS-RECOVERY) ask here before calling one unexplained.
import { startOrdinal } from '../names.ts';
import type { RoundResult, WorkloadInfo } from '../types.ts';
import { markersOf, ordinalOf, type PodGeneration } from './queries.ts';
import type { MarkerOf, TimelineEntry } from './types.ts';

export interface UpdateStep {
  startIdx: number;
  start: MarkerOf<'update-start'>;
  /** The step's target revision (update-revision), when it was named. */
  to?: string;
  complete?: MarkerOf<'update-complete'>;
  /**
   * Where the controller's work for the step ends: its update-complete when it converged;
   * otherwise the end of the timeline (the controller carries on after a timed-out wait).
   */
  endIdx: number;
}

export function updateSteps(entries: readonly TimelineEntry[]): UpdateStep[] {
  const revisions = markersOf(entries, 'update-revision');
  const completes = markersOf(entries, 'update-complete');
  return markersOf(entries, 'update-start').map(({ index, marker }) => {
    const to = revisions.find((r) => r.index > index && r.marker.step === marker.step)?.marker.to;
    const done = completes.find((c) => c.index > index && c.marker.step === marker.step);
    const endIdx = done?.marker.converged ? done.index : entries.length;
    return { startIdx: index, start: marker, endIdx, ...(to !== undefined ? { to } : {}), ...(done ? { complete: done.marker } : {}) };
  });
}

/**
 * Whether `gen` ending at entries[goneIdx] is the update's doing: inside a step, an
 * operator-delete of its UID, or (RollingUpdate) a pod at or above the partition that did
 * not run the step's revision. A pod below the partition is never the update's to replace.
 */
export function replacedByUpdate(
  entries: readonly TimelineEntry[], steps: readonly UpdateStep[], workload: WorkloadInfo, gen: PodGeneration, goneIdx: number,
): boolean {
  for (const s of steps) {
    if (goneIdx <= s.startIdx || goneIdx >= s.endIdx) continue;
    const operator = entries.slice(s.startIdx, goneIdx).some((e) => e.type === 'MARKER' && e.marker === 'operator-delete' && e.uid === gen.uid);
    if (operator) return true;
    if (s.start.strategy !== 'RollingUpdate' || s.to === undefined) continue;
    const ordinal = ordinalOf(workload.statefulSet, gen.name);
    if (ordinal !== undefined && ordinal >= startOrdinal(workload) + s.start.partition && gen.last.pod.revision !== s.to) return true;
  }
  return false;
}

/** The steps that began at or after timeline index `from`, as a round's result records them. */
export function stepSpans(entries: readonly TimelineEntry[], from: number): NonNullable<RoundResult['updates']> {
  return updateSteps(entries).filter((s) => s.startIdx >= from).map((s) => ({
    step: s.start.step, startMs: s.start.t, converged: s.complete?.converged ?? false,
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
