// The subject of a run: what it disrupts. A sample it deploys, a user's manifest it
// deploys (--manifest), or a running StatefulSet it adopts (--target). Everything that
// differs between the three lives behind this interface; the phases never ask which.
import type { ClusterFacts } from '../../cluster.ts';
import type { Workload } from '../../workloads/common.ts';
import type { RunContext } from '../context.ts';
import type { SubjectKind } from '../plan.ts';

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
