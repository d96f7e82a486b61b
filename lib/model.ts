// The shared vocabulary of a run: the disruptions and what each must cause, how a round
// sends them and what it measured, the StatefulSet and the cluster under test, how fast
// changes reach the harness, and the evidence behind a verdict. The bottom of the import
// graph (.dependency-cruiser.cjs): the timeline, checks, probes and reports speak it; it
// imports only the StatefulSet options vocabulary.
import type { StsOptions } from './workloads/sts-options.ts';

/** The disruptions a chaos round can apply (lib/chaos/disruptions/, one file each). */
export type DisruptionName =
  | 'delete'
  | 'force-delete'
  | 'container-kill'
  | 'evict'
  | 'node-fault'
  | 'kubelet-restart'
  | 'partition'
  | 'disk-full'
  | NetFaultKind
  | 'delay';

/** The network faults besides partition, applied by the node agent (lib/agent/net-fault-spec.ts). */
export type NetFaultKind = 'loss' | 'bandwidth';

/**
 * etcd's leader around a partition (lib/chaos/partition-leader.ts), members by name. The
 * election is timed from the moment the agent applied the cut (its clock: the local
 * cluster's nodes share the harness's kernel) to the first answer naming a new leader.
 */
export interface LeaderRecord {
  /** The leader etcd named just before the cut. */
  before: string;
  /** --partition-shape isolate-leader: the leadership was moved to the planned pod first (etcdctl move-leader). */
  moved?: boolean;
  /** Whether the shape left the leader reaching fewer than a majority of the members both ways. */
  cutOff: boolean;
  /** The first leader other than `before` a member of the majority named, and when (ms after the cut was applied). */
  after?: string;
  electedMs?: number;
  /** The answer before named the old or no leader: the election fell within resolutionMs before electedMs. */
  resolutionMs?: number;
  /** Why no election was timed (e.g. none named before the heal). */
  note?: string;
}

/**
 * What the StatefulSet must do after a disruption: `replaced` (new UID, same name),
 * `restarted-in-place` (same UID, restartCount + 1), `blocked` (no replacement until a
 * condition clears), `refused` (the API rejected the disruption; the pod must stay) or
 * `unaffected` (the pod keeps its UID and no container restarts, e.g. a kubelet restart)
 * or `stays` (the pod keeps its UID and is Ready again; its containers may restart, as a
 * database exits on a full disk).
 */
export type Expectation = 'replaced' | 'restarted-in-place' | 'blocked' | 'refused' | 'unaffected' | 'stays';

/**
 * How a round's kills go out: `sequential` lowest ordinal first and `reverse` highest
 * first, each once the watch shows the previous one took effect; `burst` all at once,
 * concurrently (a node loss or an OOM storm).
 */
export type KillPattern = 'sequential' | 'burst' | 'reverse';

export interface PlannedDisruption {
  pod: string;
  ordinal: number;
  /** The disruption's name. */
  action: DisruptionName;
  /** Seeded values drawn for disruptions that declare params (e.g. a duration); absent otherwise. */
  params?: Record<string, number>;
}

export interface RoundPlan {
  round: number; // 1-based
  pattern: KillPattern;
  /** In the order they are sent (for `burst`, all at once). */
  kills: PlannedDisruption[];
}

/** deleted -> recreated -> Running -> Ready for one pod in one round, in ms since the kill. */
export interface PodRecovery {
  pod: string;
  round: number;
  action: DisruptionName;
  /** What the disruption expected; `refused` when the API refused it. Absent in older results: `replaced`. */
  expect?: Expectation;
  killedAt: number; // run ms
  deletedMs?: number; // the old pod object left the API
  recreatedMs?: number; // a pod with the same name and a new UID appeared
  restartedMs?: number; // restarted in place: the pod's restart count rose
  runningMs?: number;
  readyMs?: number;
  /**
   * Upper bound, not a measurement: harness arrival wall time minus the kubelet's Ready
   * lastTransitionTime, which has 1 s resolution (true value in [x-1000, x], plus clock
   * skew). The measured figure is RunResult.detectionLatency.
   */
  detectionLatencyMs?: number;
  recovered: boolean;
  /** The node the killed pod ran on, and the node its replacement (or the restarted pod) ran on; absent when not recorded. */
  fromNode?: string;
  toNode?: string;
  /** The killed pod's node was taken down (node-fault): when, relative to the kill, and when it came back (absent: not within the round). */
  nodeDown?: { node: string; downMs: number; upMs?: number };
  /**
   * A pod the kill was to keep (kubelet-restart, container-kill, refused) that the
   * taint-eviction controller deleted: when, relative to the kill (negative: the eviction had
   * begun when the kill came); it is then timed as replaced.
   */
  taintEvictedMs?: number;
}

export interface RoundResult {
  plan: RoundPlan;
  startedAt: number;
  endedAt: number;
  converged: boolean;
  recoveries: PodRecovery[];
  /** The update steps that began with this round (update-start .. update-complete, run ms); absent without one. */
  updates?: { step: 'forward' | 'rollback'; startMs: number; endMs?: number; converged: boolean }[];
}

export interface WorkloadInfo {
  /** A sample, a StatefulSet already running (--target) or one deployed from a user's file (--manifest). */
  kind: 'web' | 'primary-replica' | 'etcd' | 'postgres' | 'target' | 'manifest';
  namespace: string;
  statefulSet: string;
  service: string;
  replicas: number;
  claimTemplates: string[];
  clusterDomain: string;
  /** Named port the headless service exposes, for the SRV query. */
  portName: string;
  /**
   * The headless Service's spec.publishNotReadyAddresses: DNS then lists every pod with an
   * IP, ready or not (absent in older recordings: false, the default).
   */
  publishNotReadyAddresses?: boolean;
  podManagementPolicy: 'OrderedReady' | 'Parallel';
  /** The StatefulSet spec options the run chose (absent in older recordings: the Kubernetes defaults). */
  options?: StsOptions;
  /** Options asked for but left out because the cluster does not support them, each with the reason. */
  optionsSkipped?: { option: string; value: string; reason: string }[];
  /** The PodDisruptionBudget the run created over the pods (--pdb), if any. */
  pdb?: PdbInfo;
}

/** A PodDisruptionBudget as the run created it: one of the two bounds is set. */
export interface PdbInfo {
  name: string;
  maxUnavailable?: number;
  minAvailable?: number;
}

/** One fact that supports a verdict: what was expected, what was seen, where. */
export interface Evidence {
  subject: string; // e.g. "pod web-1", "PVC www-web-0", "web-0.nginx.ns.svc.cluster.local"
  expected?: string;
  observed?: string;
  at?: number; // run ms
  note?: string;
  /** For a failing moment in or shortly after a watch gap or NotReady nodes: that context (lib/timeline/moment-context.ts). */
  context?: string[];
}

/** The cluster a run ran against, as results.json and the report show it. */
export interface ClusterFacts {
  server: string;
  context: string;
  version: string; // e.g. v1.34.4
  nodes: { name: string; kubeletVersion: string; osImage: string; containerRuntime: string }[];
  storageClass: string;
  image: string;
}

/** How long a change takes to reach the harness (the canary, lib/observe/canary.ts), nearest-rank percentiles. */
export interface DetectionLatency {
  samples: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
}

/**
 * A fault the node agent held (results.json `faults`), as the timeline's bands and the
 * availability per fault kind read it: any kind (partition, and whatever other kinds the
 * agent applies), so new kinds are drawn and counted without changes here. Run ms.
 */
export interface FaultSpan {
  kind: string;
  round: number;
  /** The pod the fault was applied to; `pods` when it had several (both are drawn). */
  pod?: string;
  pods?: readonly string[];
  node?: string;
  /** When the fault was confirmed from inside the target (its hold begins), and how long after the request. */
  confirmedAtMs: number;
  confirmMs?: number;
  /** When its heal was confirmed, and how long after the heal was asked; absent when it never was. */
  healedAtMs?: number;
  healConfirmMs?: number;
  /** disk-full: `agent` where the agent's write on the same filesystem confirmed it, the container being down. */
  confirmedBy?: 'agent';
  healConfirmedBy?: 'agent';
}

/** The pods a fault was applied to. */
export function faultPods(f: FaultSpan): string[] {
  return [...new Set([...(f.pod ? [f.pod] : []), ...(f.pods ?? [])])];
}
