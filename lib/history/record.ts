// What a run hands the checks of its history: the events of history.jsonl (read once by
// the run, which then judges them like every other recording), or why they could not be
// had. Checks do no I/O, so the file itself is only named here, for the report.
import type { HistoryEvent } from './events.ts';

/** The traffic workloads that write a history (`--traffic register|set`). */
export type HistoryWorkload = 'register' | 'set';

export interface HistoryRecord {
  readonly workload: HistoryWorkload;
  /** The file the run wrote, relative to its report directory (history.jsonl). */
  readonly file: string;
  /** The events in file order; absent when they could not be read (`error` says why). */
  readonly events?: readonly HistoryEvent[];
  /** Why the history is missing or unreadable: the check cannot judge (error, never failed). */
  readonly error?: string;
  /**
   * One instant on both clocks: history time `ns` (the client's monotonic clock) is run ms
   * `runMs`. With it, operations are drawn on the run's axis beside its disruptions;
   * without it, on their own axis.
   */
  readonly clock?: { readonly ns: number; readonly runMs: number };
}
