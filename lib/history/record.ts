// What a run hands the checks of its history: the events of history.jsonl (read once by
// the run with loadHistoryRecord, then judged like every other recording), or why they
// could not be had. Checks do no I/O: they see the events and the file's name.
import path from 'node:path';
import type { HistoryEvent } from './events.ts';
import { readHistory } from './jsonl.ts';

/** The traffic workloads that write a history (`--traffic register|set|bank`). */
export type HistoryWorkload = 'register' | 'set' | 'bank';

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

/**
 * The record of a history file the run wrote: its events, or why they could not be read
 * (a missing or malformed file is the check's `error`, so this never throws). `file` is
 * named relative to `dir`, as the report shows it.
 */
export async function loadHistoryRecord(
  dir: string,
  file: string,
  workload: HistoryWorkload,
  clock?: HistoryRecord['clock'],
): Promise<HistoryRecord> {
  const base = { workload, file, ...(clock ? { clock } : {}) };
  try {
    return { ...base, events: await readHistory(path.join(dir, file)) };
  } catch (err) {
    return { ...base, error: err instanceof Error ? err.message : String(err) };
  }
}
