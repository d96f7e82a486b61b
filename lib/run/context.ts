// What every phase of a run works with (lib/run/phases/): one object, built once in
// lib/run/execute.ts, instead of each phase taking its own list of parameters. `state`
// carries what one phase leaves for the next (the revision, the snapshots, the rounds).
import type { HistoryRecord } from '../history/record.ts';
import type { Canary } from '../observe/canary.ts';
import type { Cluster } from '../cluster/cluster.ts';
import type { DnsProbe } from '../probes/dns.ts';
import type { Recorder } from '../observe/recorder.ts';
import type { TrafficSession } from '../traffic/session.ts';
import type { TrafficRecord } from '../traffic/records.ts';
import type { ClusterFacts, RoundResult } from '../model.ts';
import type { Snapshot } from '../probes/records.ts';
import type { ReplicationProbe } from '../probes/postgres-records.ts';
import type { UpdateSession } from '../update/session.ts';
import type { RunOptions, RunPhase } from './options.ts';
import type { RunPlan, SubjectKind } from './plan.ts';
import type { Workload } from '../workloads/common.ts';

export interface RunState {
  /** The controller revision every pod runs after the rollout. */
  revision?: string;
  dns?: DnsProbe;
  canary?: Canary;
  baseline?: Snapshot;
  traffic?: TrafficSession;
  /** The update phase (--update), when the plan has one; its steps start at their rounds' start. */
  update?: UpdateSession;
  rounds: RoundResult[];
  after?: Snapshot;
  written?: TrafficRecord;
  /** The operation history of --traffic register|set (loadHistoryRecord), for STS-LINEARIZABLE and STS-WRITES-DURABLE. */
  history?: HistoryRecord;
  /** The postgres sample: its replication probed after each converged round (lib/run/replication.ts). */
  replication: ReplicationProbe[];
  /** Whether the final scale-down finished (the retention phase judges only then). */
  scaled: boolean;
}

export interface RunContext {
  runId: string;
  cluster: Cluster;
  recorder: Recorder;
  subject: Subject;
  plan: RunPlan;
  options: RunOptions;
  log: (line: string) => void;
  /** Calls the options' hook (fault tests plant faults there) at a phase boundary. */
  hook: (phase: RunPhase, round?: number) => Promise<void>;
  /** Each wait's budget, from the plan. */
  timeouts: RunPlan['budget'];
  state: RunState;
}

/** One step of a run: deploy, rollout, baseline, rounds, after, scale-down, retention. */
export type Phase = (ctx: RunContext) => Promise<void>;

/**
 * The subject of a run: what it disrupts. A sample it deploys, a user's manifest it
 * deploys (--manifest), or a running StatefulSet it adopts (--target). Everything that
 * differs between the three lives behind this interface (lib/run/subject/); the phases
 * never ask which. It lives here because it and the context name each other.
 */
export interface Subject {
  kind: SubjectKind;
  workload: Workload;
  facts: ClusterFacts;
  /** What the run header calls it: `web`, `target ns/sts`, `manifest file (StatefulSet x)`. */
  label: string;
  /** More lines for the run header. */
  header: string[];
  /** Creates what the run owns around the StatefulSet (its namespace), before the recorder starts. */
  open(ctx: RunContext): Promise<void>;
  /** Creates the detection-latency canary into ctx.state.canary, or logs why the subject takes none. */
  openCanary(ctx: RunContext): Promise<void>;
  /** Creates the StatefulSet and its objects; nothing for a StatefulSet already running. */
  deploy(ctx: RunContext): Promise<void>;
  /** Once the pods run: what the probes can do in the image, the cluster domain. */
  adapt(ctx: RunContext): Promise<void>;
  /** Called before every disruption: refuses (throws) unless the pod may be disrupted. */
  guard?: (pod: string, uid: string) => Promise<void>;
  /** At phase boundaries: throws once the owner withdrew the run's permission (a --target's opt-in label). */
  throwIfWithdrawn?: () => void;
  /** Why the run sends no traffic into this subject, or undefined. */
  trafficSkip?: string;
  /** Why the run never scales this subject down, or undefined. */
  scaleSkip?: string;
  /** Marks the pods that may get a sentinel from now on, so an interrupted run still cleans them. */
  claimSentinels(ctx: RunContext): void;
  /** Undoes what the run did: deletes its namespace, or takes its sentinels out again. Never throws. */
  cleanUp(ctx: RunContext): Promise<void>;
}
