// The data a run produces. Everything the checks and reports read is defined here,
// so checks stay pure functions over recorded data and fixtures stay plain JSON.

// The timeline's entry types live in lib/timeline/; re-exported so existing imports keep working.
import type { TimelineEntry, WatchedKind } from './timeline/types.ts';
import type { StsOptions } from './workloads/sts-options.ts';
import type { TrafficRecord, TrafficSummary } from './traffic/types.ts';
export type {
  EntryBase,
  EventState,
  MarkerEntry,
  MarkerName,
  MarkerOf,
  MarkerPayload,
  PdbState,
  PodState,
  PvState,
  PvcState,
  TimelineEntry,
  WatchEntry,
  WatchedKind,
} from './timeline/types.ts';

/** Per-ordinal facts captured before and after chaos. */
export interface PodSnapshot {
  name: string;
  ordinal: number;
  uid: string;
  ip: string;
  hostname: string;
  subdomain: string;
  /** `hostname` as printed inside the container (exec), the pod's own view. */
  hostnameInPod?: string;
  /** Why `hostname` could not be run in the pod (exec failed or exited non-zero): unobserved. */
  hostnameError?: string;
  node: string;
  ready: boolean;
  /** claim template name (e.g. "www") -> the claim the pod actually mounts. */
  claims: Record<string, ClaimBinding>;
}

export interface ClaimBinding {
  claimName: string;
  pvcUid: string;
  pvName: string;
  pvUid: string;
  /** The PVC's status.phase (Bound, Pending, Lost); '' when the PVC was not seen. */
  pvcPhase?: string;
  /** The PV's spec.claimRef.uid: the claim the volume says it belongs to. */
  pvClaimUid?: string;
}

export interface DnsAnswer {
  /** ms since run start. */
  t: number;
  /**
   * NOERROR | NXDOMAIN | SERVFAIL | ... are answers. TIMEOUT (no answer in time) and
   * TRANSPORT (connection refused/reset/closed, port-forward or exec failure) mean the
   * question never got an answer: unobserved, never judged as a wrong answer.
   */
  rcode: string;
  addresses: string[];
  ttl?: number;
  /** For TIMEOUT and TRANSPORT: what went wrong. */
  error?: string;
}

/** One resolver's view: a CoreDNS pod (via port-forward), --dns-server, or a workload pod's own resolver. */
export interface DnsServerAnswers {
  server: string;
  answers: DnsAnswer[];
}

/** Every answer seen for one A query, oldest first, until it settled or the budget ran out. */
export interface DnsALookup {
  fqdn: string;
  pod: string;
  /** The first server's answers (kept for older readers; `servers` has every server's). */
  answers: DnsAnswer[];
  /** Every server asked, each with its answers oldest first. */
  servers?: DnsServerAnswers[];
  /** The answer seen from inside a workload pod through its own resolver (busybox nslookup). */
  inPod?: { pod: string; answer: DnsAnswer };
}

export interface DnsSrvLookup {
  qname: string;
  t: number;
  rcode: string;
  targets: { target: string; port: number }[];
  error?: string;
  /** Every server's last SRV answer (the fields above are the first server's). */
  servers?: SrvAnswer[];
  /** The SRV answer seen from inside a workload pod through its own resolver. */
  inPod?: SrvAnswer & { pod: string };
}

/** One server's SRV answer; rcode as in DnsAnswer (TIMEOUT/TRANSPORT = unobserved). */
export interface SrvAnswer {
  server: string;
  t: number;
  rcode: string;
  targets: { target: string; port: number }[];
  /** The lowest TTL of the SRV records (seconds): how long a resolver may keep serving this list. */
  ttl?: number;
  error?: string;
}

export interface SentinelRecord {
  pod: string;
  path: string;
  /** sha256 of the token, so reports can show it without storing secrets twice. */
  sha256: string;
  bytes: number;
  /** The token itself (random hex; not a secret). Absent when the read failed. */
  token?: string;
  error?: string;
  /**
   * The read could not be made (exec transport failure, timeout): nothing is known about
   * the file. Without it, `error` means the pod answered and the file is gone or unreadable.
   */
  unobserved?: true;
}

/** Topology state of a primary-replica workload: the primary's data and each replica's copy. */
export interface TopologySnapshot {
  primary: string;
  /** The primary's data file as read through the primary pod. */
  primaryData?: string;
  /** The primary's own identity as it serves it (downward API): the generation replicas must name. */
  primaryUid?: string;
  primaryIp?: string;
  copies: TopologyCopy[];
  error?: string;
  /** The primary's read failed in transport: unobserved, not missing. */
  unobserved?: true;
}

export interface TopologyCopy {
  pod: string;
  data?: string;
  /** "<uid> <ip>" of the primary pod that served this copy, as the replica recorded it. */
  servedBy?: { uid: string; ip: string };
  error?: string;
  unobserved?: true;
}

/**
 * One writer of a heartbeat file (lib/workloads/heartbeat.ts): a container start of one
 * pod UID, with the first and last beat it wrote. Times in ms on the kernel's monotonic
 * uptime (comparable between writers with the same boot id) and on the wall clock.
 */
export interface HeartbeatWriter {
  uid: string;
  /** The container's start, as uptime seconds text (distinguishes restarts in place). */
  start: string;
  bootId: string;
  beats: number;
  firstUptimeMs: number;
  lastUptimeMs: number;
  /** Wall clock ms; second resolution when the image's date has no %N. */
  firstWallMs?: number;
  lastWallMs?: number;
}

/** The heartbeat file of one ordinal's volume, read through its current pod after chaos. */
export interface HeartbeatRecord {
  pod: string;
  path: string;
  writers: HeartbeatWriter[];
  /** Lines that did not parse (a torn write when a writer died mid-line). */
  badLines?: number;
  error?: string;
  /** The read could not be made (exec transport failure). */
  unobserved?: true;
}

/** One etcd member as the member list gives it; IDs are decimal strings (64-bit). */
export interface EtcdMember {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

/** A member's client URL as `endpoint health` and `endpoint status` answered for it. */
export interface EtcdEndpoint {
  endpoint: string;
  healthy: boolean;
  error?: string;
  /** From endpoint status: the member that answered and the leader it names. */
  memberId?: string;
  leader?: string;
}

/** etcd's membership and health as etcdctl inside one member (askedPod) reported it. */
export interface MembershipSnapshot {
  askedPod?: string;
  members: EtcdMember[];
  endpoints: EtcdEndpoint[];
  error?: string;
  /** No member's etcdctl answered (exec failure): nothing is known. */
  unobserved?: true;
  /** Observations made until the cluster settled or the budget ran out. */
  attempts?: number;
}

export interface Snapshot {
  t: number;
  pods: PodSnapshot[];
  dnsA: DnsALookup[];
  dnsSrv?: DnsSrvLookup;
  sentinels: SentinelRecord[];
  /** After chaos only: each volume's heartbeat writers (STS-AT-MOST-ONE). */
  heartbeats?: HeartbeatRecord[];
  /** Present for workloads with topology state (primary-replica). */
  topology?: TopologySnapshot;
  /** Present for the etcd sample: its membership and health. */
  membership?: MembershipSnapshot;
  /** Probes that could not run in this image or were turned off, each with the reason (the checks needing them are skipped). */
  skippedProbes?: { sentinel?: string; inPod?: string };
}

/** The disruptions a chaos round can apply (lib/chaos/disruptions/, one file each). */
export type DisruptionName = 'delete' | 'force-delete' | 'container-kill' | 'evict' | 'node-fault' | 'kubelet-restart';

/**
 * What the StatefulSet must do after a disruption: `replaced` (new UID, same name),
 * `restarted-in-place` (same UID, restartCount + 1), `blocked` (no replacement until a
 * condition clears), `refused` (the API rejected the disruption; the pod must stay) or
 * `unaffected` (the pod keeps its UID and no container restarts, e.g. a kubelet restart).
 */
export type Expectation = 'replaced' | 'restarted-in-place' | 'blocked' | 'refused' | 'unaffected';

/**
 * How a round's kills go out: `sequential` lowest ordinal first and `reverse` highest
 * first, each once the watch shows the previous one took effect; `burst` all at once,
 * concurrently (a node loss or an OOM storm).
 */
export type KillPattern = 'sequential' | 'burst' | 'reverse';

export interface PlannedKill {
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
  kills: PlannedKill[];
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
  kind: 'web' | 'primary-replica' | 'etcd' | 'target' | 'manifest';
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

/** One fact that supports a verdict: what was expected, what was seen, where. */
export interface Evidence {
  subject: string; // e.g. "pod web-1", "PVC www-web-0", "web-0.nginx.ns.svc.cluster.local"
  expected?: string;
  observed?: string;
  at?: number; // run ms
  note?: string;
}

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

export interface ClusterFacts {
  server: string;
  context: string;
  version: string; // e.g. v1.34.4
  nodes: { name: string; kubeletVersion: string; osImage: string; containerRuntime: string }[];
  storageClass: string;
  image: string;
}

/**
 * The volume behaviour the run saw (lib/timeline/volumes.ts): PVs pinned to a node by
 * spec.nodeAffinity (node-local storage), shared/network volumes without, or both.
 */
export interface VolumeBehaviour {
  kind: 'node-pinned' | 'shared' | 'mixed';
  /** claim name -> the node its PV is pinned to. */
  pinned: Record<string, string>;
  /** claims whose PV has no node affinity. */
  shared: string[];
}

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
    rounds: number; timeoutSeconds: number; chaos?: DisruptionName[];
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

export interface DetectionLatency {
  samples: number;
  p50Ms?: number;
  p95Ms?: number;
  maxMs?: number;
}
