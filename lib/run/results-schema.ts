// results.json: the single source every report is rendered from (docs/results-schema.md).
// Reports import this file and nothing else of the run.
import type { CheckResult } from '../checks/api.ts';
import type { ClusterFacts, DetectionLatency, DisruptionName, LeaderRecord, NetFaultKind, RoundResult, WorkloadInfo } from '../model.ts';
import type { WatchedKind } from '../timeline/entries.ts';
import type { VolumeBehaviour } from '../timeline/volumes.ts';
import type { TrafficSummary } from '../traffic/records.ts';
import type { ReplicationProbe } from '../probes/postgres-records.ts';

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
  /** Faults (`partition`, `disk-full`), from their markers: when each was confirmed and healed; absent when none. */
  faults?: FaultRecord[];
  /** Traffic during chaos: lost-write accounting and availability figures (lib/traffic/). */
  traffic?: TrafficSummary;
  /** The postgres sample: its durability setting and replication timings (STS-TOPOLOGY-PRIMARY's probes); absent for other subjects. */
  replication?: ReplicationSummary;
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

/** One confirmed fault: run ms for the times, ms for the confirmation durations. */
export type FaultRecord = NetworkFaultRecord | DiskFullRecord;

/** A confirmed network fault: a partition (its shape), lost packets or a thin pipe (params, measured). */
export interface NetworkFaultRecord {
  kind: 'partition' | NetFaultKind;
  round: number;
  pod: string;
  node: string;
  peers: string[];
  /** The shape (isolate, halves, bridge, one-way, client) and who could not reach whom. */
  shape?: string;
  cut?: string;
  /** Pods recreated during the hold whose replacement was cut again, confirmed. */
  followed?: { pod: string; uid: string; confirmMs: number }[];
  /** When the cut was confirmed from inside the pod, and how long after the request that took. */
  confirmedAtMs: number;
  confirmMs: number;
  /** When the heal was confirmed (every peer connects), and how long after the heal was asked; absent when it never was. */
  healedAtMs?: number;
  healConfirmMs?: number;
  /** partition on etcd: the leader before the cut, and the election a cut leader caused. */
  leader?: LeaderRecord;
  /** loss, bandwidth: the seeded values the fault was applied with (e.g. percent, rateKbit, hold). */
  params?: Record<string, number>;
  /** loss, bandwidth: what the confirmation measured from inside the pod (lib/chaos/net-confirm.ts). */
  measured?: Record<string, number>;
}

/** A confirmed full volume: the fault file filled it until a write in the pod failed with ENOSPC. */
export interface DiskFullRecord {
  kind: 'disk-full';
  round: number;
  pod: string;
  node: string;
  /** The volume's mount path in the pod and its filesystem size there. */
  path: string;
  sizeKiB: number;
  /** When ENOSPC was confirmed from inside the pod, and how long after the request that took. */
  confirmedAtMs: number;
  confirmMs: number;
  /** When a write succeeded again, and how long after the heal was asked; absent when it never did. */
  healedAtMs?: number;
  healConfirmMs?: number;
  /**
   * `agent` where the write that confirmed it was the node agent's, on the same filesystem,
   * because the workload container could not be entered (it exited on ENOSPC and waited to
   * restart); absent where it was made inside the pod.
   */
  confirmedBy?: 'agent';
  healConfirmedBy?: 'agent';
}

/** Nearest-rank percentiles of some ms values; only `samples` when there were none. */
export interface Spread {
  samples: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
}

/** The postgres sample's replication over the run (docs/postgres-sample.md). */
export interface ReplicationSummary {
  /** What a commit acknowledges (synchronous_commit and friends), as the sample configures it. */
  durability: string;
  primary: string;
  /** Marker commit on the primary → each replica's replay of it, every probe. */
  catchUp: Spread;
  /** The primary's own replay_lag for each replica when it caught up. */
  replayLag: Spread;
  /** After each recreation of the primary: its postmaster start → each replica's WAL sender start (primary's clock). */
  reconnect: Spread;
  /** Every probe: baseline, each converged round, after. */
  probes: ReplicationProbe[];
}
