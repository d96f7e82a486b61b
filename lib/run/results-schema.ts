// results.json: the single source every report is rendered from (docs/results-schema.md).
// Reports import this file and nothing else of the run.
import type { CheckResult } from '../checks/api.ts';
import type { ClusterFacts, DetectionLatency, DisruptionName, NetFaultKind, RoundResult, WorkloadInfo } from '../model.ts';
import type { WatchedKind } from '../timeline/entries.ts';
import type { VolumeBehaviour } from '../timeline/volumes.ts';
import type { TrafficSummary } from '../traffic/records.ts';

/** results.json: the single source every other report is rendered from. */
export interface RunResult {
  schemaVersion: 1;
  runId: string;
  tool: { name: 'ordinal'; version: string };
  seed: number;
  /** The exact command line that repeats this run (same seed, same options). */
  replay: string;
  startedAt: string; // ISO
  finishedAt: string; // ISO
  durationMs: number;
  cluster: ClusterFacts;
  workload: WorkloadInfo;
  /** `chaos`: the enabled disruptions (absent in older results: delete, force-delete). */
  options: {
    rounds: number;
    timeoutSeconds: number;
    chaos?: DisruptionName[];
    /** The update phase (--update, resolved): mode, its round, who chose it and why it is none; absent in older results. */
    update?: { mode: 'template' | 'image' | 'rollback' | 'none'; round?: number; chosenBy: 'flag' | 'seed'; note?: string };
  };
  checks: CheckResult[];
  rounds: RoundResult[];
  /** Set when the run could not finish (harness or cluster problem), with what it saw. */
  error?: { message: string; detail?: string };
  /** The volume behaviour the run saw; absent when no bound PV was recorded (no claims, older results). */
  volumes?: VolumeBehaviour;
  /** Times a watch was down and later re-listed (from the `watch-gap` markers), run ms. */
  observationGaps?: { kind: WatchedKind; fromMs: number; toMs: number; reason: string }[];
  /**
   * How long a change takes to reach the harness: a canary ConfigMap annotated with a
   * high-resolution timestamp every second during chaos, timed on arrival on the watch.
   */
  detectionLatency?: DetectionLatency;
  /** Kill → Ready per disruption kind, from `rounds` (absent in older results and runs without rounds). */
  recoveryByDisruption?: DisruptionRecovery[];
  /** Network faults (`partition`), from their markers: when each was confirmed and healed; absent when none. */
  faults?: FaultRecord[];
  /** Traffic during chaos: lost-write accounting and availability figures (lib/traffic/). */
  traffic?: TrafficSummary;
  summary: { passed: number; failed: number; error: number; skipped: number };
}

/** Kill → Ready for one disruption kind over the whole run (nearest-rank percentiles). */
export interface DisruptionRecovery {
  disruption: DisruptionName;
  /** Kills that went through (refused ones not counted). */
  killed: number;
  /** Of those, Ready again within their round. */
  recovered: number;
  /** Kills the API refused (e.g. evictions a PodDisruptionBudget forbade). */
  refused: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
}

/** One confirmed network fault: run ms for the times, ms for the confirmation durations. */
export interface FaultRecord {
  kind: 'partition' | NetFaultKind;
  round: number;
  pod: string;
  node: string;
  peers: string[];
  /** When the cut was confirmed from inside the pod, and how long after the request that took. */
  confirmedAtMs: number;
  confirmMs: number;
  /** When the heal was confirmed (every peer connects), and how long after the heal was asked; absent when it never was. */
  healedAtMs?: number;
  healConfirmMs?: number;
  /** loss, bandwidth: the seeded values the fault was applied with (e.g. percent, rateKbit, hold). */
  params?: Record<string, number>;
  /** loss, bandwidth: what the confirmation measured from inside the pod (lib/chaos/net-confirm.ts). */
  measured?: Record<string, number>;
}
