// Shared vocabulary for the checks: outcome constructors, message helpers and the
// timeline queries (defined once in lib/timeline/, re-exported here for the checks).
import type { CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';

export {
  PodView,
  describeEntry,
  describeState,
  findMarker,
  inOrder,
  isPodEntry,
  isReady,
  markerAt,
  markersOf,
  minReadySecondsOf,
  ordinalOf,
  podGenerations,
  readyMoment,
  type PodEntry,
  type PodGeneration,
} from '../timeline/queries.ts';
export { ordinals, podFqdn, podName, startOrdinal } from '../names.ts';

export function passed(message: string, evidence: Evidence[]): CheckOutcome {
  return { status: 'passed', message, evidence };
}

export function failed(message: string, evidence: Evidence[]): CheckOutcome {
  return { status: 'failed', message, evidence };
}

/** The harness could not observe or judge: never a broken guarantee. */
export function errored(message: string, evidence: Evidence[]): CheckOutcome {
  return { status: 'error', message, evidence };
}

export function skipped(message: string): CheckOutcome {
  return { status: 'skipped', message, evidence: [] };
}

/** A message naming the first problem, and how many more there are. */
export function firstOf(problems: string[]): string {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return `${problems[0] ?? 'no problem recorded'}${more}`;
}

/** DNS names compare case-insensitively and with or without the root dot. */
export function sameDnsName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}
