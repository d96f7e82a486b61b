// What executeRun takes (parsed from the command line by lib/cli/args.ts, or given by the
// suites and tests) and the hook fault tests use to plant a fault at a phase boundary.
import type { KillPatternOption } from '../chaos/plan.ts';
import type { ShapeOption } from '../chaos/partition-shape.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { Recorder } from '../observe/recorder.ts';
import type { DisruptionName } from '../model.ts';
import type { Workload } from '../workloads/common.ts';
import type { WorkloadKind } from '../workloads/index.ts';
import type { StsOptions } from '../workloads/sts-options.ts';
import type { PlannedUpdate, UpdateMode } from '../update/mode.ts';

/** The StatefulSet spec options (--pod-management, --start-ordinal, …) are fields of their own. */
export interface RunOptions extends StsOptions {
  kubeconfig?: string;
  context?: string;
  workload: WorkloadKind;
  replicas: number;
  rounds: number;
  seed: number;
  /** How each round's kills go out; `mixed` lets the seed pick per round. */
  killPattern: KillPatternOption;
  /** The disruptions the planner draws from (--chaos), in registry order. */
  chaos: DisruptionName[];
  /** --partition-shape: every partition's shape, or `seeded` (absent: seeded). */
  partitionShape?: ShapeOption;
  /** --node-fault-command: '<cmd> {action} {node}' for node-fault and kubelet-restart. */
  nodeFaultCommand?: string;
  /** How long the sample pods tolerate an unreachable or not-ready node (s). */
  tolerationSeconds: number;
  /** --pdb as given; absent: max-unavailable=1 when evict is enabled, else none. */
  pdb?: string;
  image: string;
  storageClass?: string;
  claimSize: string;
  /** Budget for each wait (rollout, each round's recovery), in seconds. */
  timeoutSeconds: number;
  keepNamespace: boolean;
  dnsServer?: string;
  /** How long DNS may take to follow a recreated pod (covers resolver cache TTLs). */
  dnsBudgetSeconds: number;
  /** `<namespace>/<statefulset>`: chaos against a StatefulSet already running (lib/run/subject/target.ts). */
  target?: string;
  /** A user's manifest deployed into the run namespace instead of a sample (lib/workloads/manifest.ts). */
  manifest?: string;
  /** `off`: no sentinel file is written into the volumes (STS-DATA-SENTINEL skipped). */
  sentinel?: 'on' | 'off';
  /** `on` (default): traffic during chaos for workloads with a driver (lib/traffic/); `off`: none. */
  traffic?: 'on' | 'off' | 'register' | 'set' | 'bank';
  /** etcd register traffic: linearizable reads (etcd's default) or serializable ones (a member's own store, the control). */
  etcdRead?: 'linearizable' | 'serializable';
  /** The image the history client (register, set traffic) runs: Ordinal's own. */
  clientImage?: string;
  /** Writes per second across all pods. */
  trafficRate?: number;
  /** --target/--manifest: the claim (or a directory in its mount) that holds the sentinel. */
  sentinelPath?: string;
  /** --target/--manifest: overrides the domain read from a pod's resolv.conf. */
  clusterDomain?: string;
  /** --update as given; absent: the seed chooses (lib/run/plan.ts). */
  update?: UpdateMode;
  /** --update-image. */
  updateImage?: string;
  /** The command that repeats the run, from its plan (lib/cli/args.ts replayCommand). */
  replayOf?: (plan: { update: PlannedUpdate }) => string;
  log: (line: string) => void;
  /** Called at each phase boundary; fault tests use it to plant a real fault mid-run. */
  hook?: RunHook;
}

/** Where a run is when it calls its hook. `round` is set for the round phases. */
export type RunPhase =
  | 'after-deploy'
  | 'after-rollout'
  | 'after-baseline'
  | 'before-kills'
  | 'update-started'
  | 'after-kills'
  | 'after-round'
  | 'before-after-snapshot'
  | 'scale-down-requested'
  | 'claims-scaled'
  | 'statefulset-deleted';

export interface HookContext {
  phase: RunPhase;
  round?: number;
  cluster: Cluster;
  workload: Workload;
  recorder: Recorder;
  log: (line: string) => void;
}

export type RunHook = (ctx: HookContext) => Promise<void>;
