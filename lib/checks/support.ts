// Shared vocabulary for the checks: naming rules of a StatefulSet, timeline navigation,
// and the one-line descriptions of pod state that messages and evidence quote.
import type {
  CheckOutcome,
  Evidence,
  MarkerEntry,
  MarkerName,
  PodState,
  TimelineEntry,
  WatchEntry,
  WorkloadInfo,
} from '../types.ts';

export type PodEntry = WatchEntry & { kind: 'Pod'; pod: PodState };

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

/** The ordinal of `name` if it is one of the StatefulSet's pods, else undefined. */
export function ordinalOf(statefulSet: string, name: string): number | undefined {
  if (!name.startsWith(`${statefulSet}-`)) return undefined;
  const rest = name.slice(statefulSet.length + 1);
  return /^(0|[1-9][0-9]*)$/.test(rest) ? Number(rest) : undefined;
}

export { podFqdn, podName } from '../names.ts';

/** DNS names compare case-insensitively and with or without the root dot. */
export function sameDnsName(a: string, b: string): boolean {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}

/** Timeline in arrival order; callers must not rely on the array being pre-sorted. */
export function inOrder(timeline: TimelineEntry[]): TimelineEntry[] {
  return [...timeline].sort((a, b) => a.seq - b.seq);
}

export function isPodEntry(e: TimelineEntry): e is PodEntry {
  return e.type !== 'MARKER' && e.kind === 'Pod' && e.pod !== undefined;
}

export function findMarker(
  entries: TimelineEntry[],
  marker: MarkerName,
  from = 0,
  round?: number,
): number {
  for (let i = from; i < entries.length; i++) {
    const e = entries[i];
    if (e?.type === 'MARKER' && e.marker === marker && (round === undefined || e.round === round)) return i;
  }
  return -1;
}

export function markerAt(entries: TimelineEntry[], index: number): MarkerEntry | undefined {
  const e = entries[index];
  return e?.type === 'MARKER' ? e : undefined;
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

  /** Live means present, Running, Ready and not being deleted: what OrderedReady waits for. */
  isLiveReady(name: string): boolean {
    const e = this.#last.get(name);
    return !!e && e.type !== 'DELETED' && e.pod.phase === 'Running' && e.pod.ready && !e.pod.deletionTimestamp;
  }

  describe(name: string): string {
    return describeEntry(this.#last.get(name));
  }
}

export function describeEntry(e: PodEntry | undefined): string {
  if (!e) return 'not created yet';
  if (e.type === 'DELETED') return `deleted (uid ${e.pod.uid}) at t=${e.t}ms`;
  const parts = [e.pod.phase, e.pod.ready ? 'ready' : 'not ready'];
  if (e.pod.deletionTimestamp) parts.push('terminating');
  if (e.pod.waiting?.length) parts.push(`waiting: ${e.pod.waiting.join(', ')}`);
  return `${parts.join(', ')} (uid ${e.pod.uid}, as of t=${e.t}ms)`;
}
