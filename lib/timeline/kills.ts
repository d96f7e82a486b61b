// A kill as the checks judge it: its marker and the expectation that applies to it. The
// kill marker states the disruption's expectation; a `kill-refused` marker for the same
// round, pod and UID turns it into `refused` (the API said no, so the pod must stay).
import type { Expectation } from '../types.ts';
import { markersOf } from './queries.ts';
import type { MarkerOf, TimelineEntry } from './types.ts';

export interface KillRecord {
  /** Index of the kill marker in `entries`. */
  index: number;
  marker: MarkerOf<'kill'>;
  expect: Expectation;
  /** The refusal, when the API refused the kill. */
  refused?: MarkerOf<'kill-refused'>;
}

/** Every kill marker in `entries` (timeline order, as from inOrder) with its resolved expectation. */
export function killsIn(entries: readonly TimelineEntry[]): KillRecord[] {
  const refusals = markersOf(entries, 'kill-refused');
  return markersOf(entries, 'kill').map(({ index, marker }) => {
    const refused = refusals.find((r) => r.index > index && r.marker.round === marker.round && r.marker.pod === marker.pod && r.marker.uid === marker.uid)?.marker;
    // Older recordings have no expectation: every kill then was an API deletion.
    const expect: Expectation = refused ? 'refused' : (marker.expect ?? 'replaced');
    return { index, marker, expect, ...(refused ? { refused } : {}) };
  });
}

/** Expectations under which the killed UID is meant to end (the pod is replaced). */
export const endsThePod = (e: Expectation): boolean => e === 'replaced' || e === 'blocked';
