// The check API: everything a check may look at, what it returns, and the result the run
// records. Checks stay pure functions over recorded data.
import type { Fn, Value } from '../history/events.ts';
import type { HistoryRecord } from '../history/record.ts';
import type { Evidence, RoundResult, WorkloadInfo } from '../model.ts';
import type { Snapshot } from '../probes/records.ts';
import type { ReplicationProbe } from '../probes/postgres-records.ts';
import type { TimelineEntry } from '../timeline/entries.ts';
import type { TrafficRecord } from '../traffic/records.ts';

/** Everything a check may look at. Checks must not do I/O. */
export interface CheckInput {
  workload: WorkloadInfo;
  timeline: TimelineEntry[];
  baseline: Snapshot;
  after: Snapshot;
  rounds: RoundResult[];
  /** The run's bounds that checks judge against (absent in older recordings). */
  limits?: { recoveryTimeoutMs: number; dnsBudgetMs?: number; historyMaxSteps?: number; historyMaxMs?: number };
  /** Writes sent during chaos and what each store held after (absent in older recordings). */
  traffic?: TrafficRecord;
  /** The postgres sample: its replication as probed after each converged round (the snapshots hold the baseline's and the after's). */
  replication?: ReplicationProbe[];
  /** The operation history of `--traffic register|set` (history.jsonl); absent: no such traffic ran. */
  history?: HistoryRecord;
}

export type CheckStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface CheckOutcome {
  /** `error` = the check could not judge (missing or unobservable data), with evidence saying what. */
  status: CheckStatus;
  message: string;
  evidence: Evidence[];
  /** A failing sub-history, for the report to draw on a per-process time axis. */
  subHistory?: SubHistoryFigure;
}

/** One operation of a drawn sub-history. Times are ms on the figure's axis. */
export interface FigureOp {
  process: number;
  f: Fn;
  value: Value;
  /** `info`: the outcome is unknown; `retMs` is then absent (it may have taken effect at any time after the call). */
  type: 'ok' | 'info';
  callMs: number;
  retMs?: number;
  pod?: string;
  /** `failing`: the operation no linearization places; `writer`: what set the value the register held there; `source`: what wrote the value a stale read returned. */
  role?: 'failing' | 'writer' | 'source';
}

/**
 * The operations of one key around a linearizability violation. `axis: 'run'`: times are
 * run ms, comparable with the rounds' kills and node faults; `history`: ms since the
 * history's first call (the run did not tie the client's clock to its own).
 */
export interface SubHistoryFigure {
  key: string;
  axis: 'run' | 'history';
  ops: FigureOp[];
  /** Concurrent operations left out of the drawing (the nearest in time are kept). */
  omitted: number;
}

export interface CheckDefinition {
  id: string;
  guarantee: string;
  run(input: CheckInput): CheckOutcome;
}

export interface CheckResult {
  id: string;
  guarantee: string;
  status: CheckStatus;
  message: string;
  evidence: Evidence[];
  subHistory?: SubHistoryFigure;
  durationMs: number;
}
