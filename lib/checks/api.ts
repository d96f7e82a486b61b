// The check API: everything a check may look at, what it returns, and the result the run
// records. Checks stay pure functions over recorded data.
import type { Evidence, RoundResult, WorkloadInfo } from '../model.ts';
import type { Snapshot } from '../probes/records.ts';
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
  limits?: { recoveryTimeoutMs: number; dnsBudgetMs?: number };
  /** Writes sent during chaos and what each store held after (absent in older recordings). */
  traffic?: TrafficRecord;
}

export type CheckStatus = 'passed' | 'failed' | 'error' | 'skipped';

export interface CheckOutcome {
  /** `error` = the check could not judge (missing or unobservable data), with evidence saying what. */
  status: CheckStatus;
  message: string;
  evidence: Evidence[];
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
  durationMs: number;
}
