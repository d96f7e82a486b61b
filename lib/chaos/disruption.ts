// The disruption model: every chaos action is one Disruption (lib/chaos/disruptions/),
// which says how to apply it, how the harness sees that it took effect, and what the
// StatefulSet must do afterwards. The kill marker carries that expectation, so the checks
// judge a container kill (same UID, restarted) differently from a deletion (new UID).
//
// Disruption files must not import the Kubernetes client at module level (the planner
// and `run --dry-run` load the registry; test/unit/cli/startup.spec.ts holds this): they use
// ctx.cluster, or import what they need inside apply().
import type { Cluster } from '../cluster/cluster.ts';
import type { Recorder } from '../observe/recorder.ts';
import type { PodState } from '../timeline/entries.ts';
import type { ClusterFacts, DisruptionName, Expectation } from '../model.ts';
import type { Workload } from '../workloads/common.ts';
import { timeLeft } from '../timeouts.ts';

export type { DisruptionName, Expectation };

/** The pod a disruption aims at, as the harness saw it just before. */
export interface DisruptionTarget {
  pod: string;
  ordinal: number;
  uid: string;
  node?: string;
  /** Sum of the pod's container restart counts before the disruption. */
  restartCount: number;
}

export interface DisruptionContext {
  cluster: Cluster;
  namespace: string;
  workload: Workload;
  recorder: Recorder;
  round: number;
  /** Wall ms: applying and seeing the effect share the round's budget. */
  deadline: number;
  log: (line: string) => void;
  /** The seeded values the plan drew for this kill (see Disruption.params). */
  params: Readonly<Record<string, number>>;
}

/** What apply() learned from the API: a refusal turns the kill's expectation into `refused`. */
export interface ApplyOutcome {
  refused?: { status: number; reason: string };
}

/** A seeded integer the planner draws per kill, uniformly in [min, max]. */
export interface ParamSpec {
  min: number;
  max: number;
  /** For --dry-run and docs, e.g. "ms". */
  unit: string;
  /** The values name choices (value i is names[i]), as --dry-run prints them. */
  names?: readonly string[];
}

/** What a disruption can look at before the run creates anything. */
export interface PreflightContext {
  cluster: Cluster;
  facts: ClusterFacts;
  /** The whole enabled set, e.g. evict needs a PodDisruptionBudget (--pdb). */
  enabled: readonly DisruptionName[];
  pdb: string;
  /** --node-fault-command: how node-fault and kubelet-restart take a node down on clusters without a built-in adapter. */
  nodeFaultCommand?: string;
}

export interface Disruption {
  readonly name: DisruptionName;
  readonly expect: Expectation;
  /** One line: what it does (for --dry-run, --help and docs/disruptions.md). */
  readonly describe: string;
  /**
   * Values drawn per kill from a stream of their own, so enabling a disruption with
   * params never changes which pods the seed kills or with what.
   */
  readonly params?: Readonly<Record<string, ParamSpec>>;
  /**
   * What the pod must have before this disruption can be aimed at it: a node (node-fault,
   * kubelet-restart act on the pod's node) or a running container (container-kill execs
   * into it). While an update rolls, the pod aimed at may be the controller's brand-new
   * replacement, not yet scheduled or started; the round waits for this first.
   */
  readonly needs?: 'node' | 'running';
  /** Why this cluster or option set cannot take the disruption (exit 2 before anything is created). */
  preflight?(ctx: PreflightContext): Promise<string | undefined>;
  /** Sends the disruption. Throws ClusterError when it cannot be sent at all. */
  apply(ctx: DisruptionContext, target: DisruptionTarget): Promise<ApplyOutcome | undefined>;
  /** Resolves once the watch shows the disruption took effect; rejects on the deadline. */
  tookEffect(ctx: DisruptionContext, target: DisruptionTarget): Promise<void>;
}

/** Waits on the run's watch until `until` holds for the target pod's current state. */
export async function waitForPod(
  ctx: DisruptionContext,
  target: DisruptionTarget,
  what: string,
  until: (now: PodState | undefined) => boolean,
): Promise<void> {
  await ctx.recorder.waitFor({
    describe: `${what} of ${target.pod} (uid ${target.uid}) to show on the watch`,
    timeoutMs: timeLeft(ctx.deadline),
    until: () => (until(ctx.recorder.pods.get(target.pod)) ? true : undefined),
  });
}

/** A deletion took effect once the old UID is terminating, gone, or replaced. */
export const deletionSeen =
  (target: DisruptionTarget) =>
  (now: PodState | undefined): boolean =>
    !now || now.uid !== target.uid || now.deletionTimestamp !== undefined;
