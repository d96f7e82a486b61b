// The update phase on the cluster: change the pod template (or put the original back),
// read the revision the controller derives, and, with OnDelete, delete the pods as an
// operator would. Markers (lib/timeline/entries.ts; docs/checks.md "The update checks"): update-start, update-revision,
// (operator-delete…), update-complete for each step. What the StatefulSet controller does
// (pkg/controller/statefulset, kubernetes/kubernetes): newVersionedStatefulSetPod gives an
// ordinal below start + partition the *current* revision whenever it (re)creates it, and
// every other ordinal the update revision; RollingUpdate replaces pods from the highest
// ordinal down to start + partition; OnDelete replaces nothing until a pod is deleted. An
// equal template reuses its old ControllerRevision, so a rollback ends at the original hash.
import type { V1PodTemplateSpec, V1StatefulSet } from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { ClusterError, ObservationError, describeError, httpStatus } from '../errors.ts';
import { ordinals, podName, startOrdinal } from '../names.ts';
import type { Recorder } from '../observe/recorder.ts';
import { retryTransient } from '../cluster/retry.ts';
import { isReady, minReadySecondsOf } from '../timeline/queries.ts';
import { DEFAULT_IMAGE, type Workload } from '../workloads/common.ts';
import {
  SECOND_BUSYBOX_IMAGE,
  describeRevisions,
  rollbackRound,
  type ActiveUpdateMode,
  type Revisions,
  type UpdateStepName,
} from './mode.ts';
import { TIMEOUTS, timeLeft } from '../timeouts.ts';

const ANNOTATION = 'ordinal.dev/update';

export interface UpdateSessionOptions {
  mode: ActiveUpdateMode;
  round: number;
  rounds: number;
  runId: string;
  /** --update-image; else the second busybox tag when the container runs the default one. */
  image?: string;
  /** --update given explicitly: an image update with no second tag is then an error, not a fallback. */
  explicit: boolean;
  log: (line: string) => void;
}

interface Strategy {
  strategy: 'RollingUpdate' | 'OnDelete';
  partition: number;
  maxUnavailable?: number;
}

export class UpdateSession {
  /** Per pod, once a step has begun; before that every pod is at the rollout's revision. */
  expected?: Revisions;
  strategy: Strategy['strategy'] = 'RollingUpdate';
  private original?: V1PodTemplateSpec;
  private originalRevision = '';
  private forwardTo = '';
  private mode: ActiveUpdateMode;
  private cluster: Cluster;
  private rec: Recorder;
  private w: Workload;
  private o: UpdateSessionOptions;
  private rolloutRevision: string;

  constructor(cluster: Cluster, rec: Recorder, w: Workload, o: UpdateSessionOptions, rolloutRevision: string) {
    this.cluster = cluster;
    this.rec = rec;
    this.w = w;
    this.o = o;
    this.rolloutRevision = rolloutRevision;
    this.mode = o.mode;
  }

  /** The steps whose start belongs to this round, in order. */
  stepsAt(round: number): UpdateStepName[] {
    const steps: UpdateStepName[] = [];
    if (round === this.o.round) steps.push('forward');
    if (this.o.mode === 'rollback' && round === rollbackRound(this.o.round, this.o.rounds)) steps.push('rollback');
    return steps;
  }

  /** update-start, the change, update-revision; sets `expected`. Throws (after update-complete) when the controller never names the revision. */
  async begin(step: UpdateStepName, deadline: number): Promise<void> {
    const { namespace, statefulSet: name } = this.w.info;
    const read = (): Promise<V1StatefulSet> =>
      retryTransient(() => this.cluster.apps.readNamespacedStatefulSet({ name, namespace }), {
        deadline,
        what: `reading StatefulSet ${name}`,
      });
    const sts = await read();
    const s = strategyOf(sts);
    this.strategy = s.strategy;
    // `from` is the revision below the partition (status.currentRevision): in a rollback
    // after a partitioned forward step that is still the original one (the forward step
    // never completed for every ordinal), else the forward step's revision. Computed, not
    // read: right after a forward step the controller may not have advanced currentRevision yet.
    const partitioned = s.strategy === 'RollingUpdate' && s.partition > 0;
    const from =
      step === 'forward' ? (sts.status?.currentRevision ?? this.rolloutRevision) : partitioned ? this.originalRevision : this.forwardTo;
    if (step === 'forward') {
      this.original = structuredClone(sts.spec?.template);
      this.originalRevision = from;
    }
    const change = step === 'rollback' ? undefined : this.forwardChange(sts);
    this.rec.mark({ marker: 'update-start', step, mode: this.mode, ...s, from });
    this.o.log(
      `update ${step}: ${step === 'rollback' ? 'the original pod template back' : change?.describe} (${s.strategy}${s.strategy === 'RollingUpdate' ? `, partition ${s.partition}` : ''}); pods now at ${this.expected ? describeRevisions(this.expected) : from}`,
    );
    let generation: number;
    try {
      generation = await this.replaceTemplate(
        step === 'rollback' ? () => structuredClone(this.original) : (change?.apply ?? ((t) => t)),
        deadline,
      );
    } catch (err) {
      this.complete(step, err);
      throw err;
    }
    let to: string;
    try {
      to = await this.waitRevision(read, generation, deadline);
    } catch (err) {
      this.complete(step, err);
      throw err;
    }
    this.rec.mark({ marker: 'update-revision', step, to });
    if (step === 'forward') this.forwardTo = to;
    else
      this.o.log(
        to === this.originalRevision
          ? `update rollback: updateRevision ${to} is the original revision (the controller reused its ControllerRevision)`
          : `update rollback: updateRevision ${to} is NOT the original revision ${this.originalRevision}`,
      );
    // Below the partition the controller keeps (and recreates at) the current revision,
    // which is the original one in both steps: a partitioned forward step never completes.
    const boundary = startOrdinal(this.w.info) + (s.strategy === 'RollingUpdate' ? s.partition : 0);
    const expected: Record<string, string> = {};
    for (const i of ordinals(this.w.info)) expected[podName(this.w.info, i)] = i < boundary ? this.originalRevision : to;
    this.expected = expected;
    this.o.log(`update ${step}: updateRevision ${to}; expected: ${describeRevisions(expected)}`);
  }

  /** OnDelete: a short hold in which no pod may change revision by itself (STS-UPDATE-ONDELETE judges it). */
  async hold(): Promise<void> {
    this.o.log(`update: OnDelete, holding ${TIMEOUTS.onDeleteHold / 1000}s: no pod may change revision until it is deleted`);
    await new Promise((r) => setTimeout(r, TIMEOUTS.onDeleteHold));
  }

  /** OnDelete: deletes every pod not yet at its revision, highest ordinal first, each back Ready at it before the next. */
  async operatorDeletes(deadline: number): Promise<void> {
    const { info } = this.w;
    const minReadySeconds = minReadySecondsOf(info);
    for (const i of [...ordinals(info)].reverse()) {
      const pod = podName(info, i);
      const want = this.expected?.[pod] ?? '';
      const live = await this.rec.waitFor({
        describe: `${pod} present and not terminating before the operator delete`,
        timeoutMs: timeLeft(deadline),
        until: () => {
          const p = this.rec.pods.get(pod);
          return p && !p.deletionTimestamp ? p : undefined;
        },
      });
      if (live.revision === want) {
        this.o.log(`update: ${pod} already at ${want} (uid ${live.uid}): no operator delete`);
        continue;
      }
      this.rec.mark({ marker: 'operator-delete', pod, uid: live.uid });
      await this.deletePod(pod, live.uid, deadline);
      await this.rec.waitFor({
        describe: `${pod} (operator-deleted uid ${live.uid}) to come back Running and ${minReadySeconds > 0 ? 'Available' : 'Ready'} at revision ${want}`,
        timeoutMs: timeLeft(deadline),
        clock: minReadySeconds > 0,
        until: () => {
          const p = this.rec.pods.get(pod);
          return p && p.uid !== live.uid && p.revision === want && isReady(p, { minReadySeconds, wall: Date.now() }) ? true : undefined;
        },
      });
      this.o.log(`update: ${pod} operator-deleted and back at ${want}`);
    }
  }

  /** update-complete: converged, or why not (a lost watch is `unobserved`, a timeout `aborted`). */
  complete(step: UpdateStepName, err?: unknown): void {
    if (err === undefined) {
      this.rec.mark({ marker: 'update-complete', step, converged: true });
      this.o.log(`update ${step} complete: ${this.rec.podSummary()}`);
      return;
    }
    const why = `${describeError(err)}; pods: ${this.rec.podSummary()}`;
    this.rec.mark({
      marker: 'update-complete',
      step,
      converged: false,
      ...(err instanceof ObservationError ? { unobserved: why } : { aborted: why }),
    });
    this.o.log(`update ${step} did not complete: ${why}`);
  }

  /** The forward change: an annotation (template, rollback) or the container's image. */
  private forwardChange(sts: V1StatefulSet): { describe: string; apply: (t: V1PodTemplateSpec) => V1PodTemplateSpec } {
    const containers = sts.spec?.template?.spec?.containers ?? [];
    const c = containers.find((x) => x.name === this.w.container) ?? containers[0];
    if (this.mode === 'image') {
      const image = this.o.image ?? (c?.image === DEFAULT_IMAGE ? SECOND_BUSYBOX_IMAGE : undefined);
      if (image && c) {
        return { describe: `container ${c.name} image ${c.image} -> ${image}`, apply: (t) => withImage(t, c.name, image) };
      }
      if (this.o.explicit)
        throw new ClusterError(
          `--update image: no second tag is known for ${c?.image ?? 'the container image'}; pass --update-image <ref>`,
        );
      this.o.log(`update: no second tag is known for ${c?.image}: a template update instead (--update-image names one)`);
      this.mode = 'template';
    }
    const value = `${this.o.runId} forward`;
    return {
      describe: `pod template annotation ${ANNOTATION}=${value}`,
      apply: (t) => ({ ...t, metadata: { ...t.metadata, annotations: { ...t.metadata?.annotations, [ANNOTATION]: value } } }),
    };
  }

  /** Read-modify-replace of spec.template (a 409 from the controller's status writes is retried); returns the new generation. */
  private async replaceTemplate(edit: (t: V1PodTemplateSpec) => V1PodTemplateSpec | undefined, deadline: number): Promise<number> {
    const { namespace, statefulSet: name } = this.w.info;
    for (let attempt = 1; ; attempt++) {
      try {
        const out = await retryTransient(
          async () => {
            const sts = await this.cluster.apps.readNamespacedStatefulSet({ name, namespace });
            const template = edit(structuredClone(sts.spec?.template) as V1PodTemplateSpec);
            if (!sts.spec || !template) throw new ClusterError(`StatefulSet ${name} has no pod template to change`);
            return this.cluster.apps.replaceNamespacedStatefulSet({ name, namespace, body: { ...sts, spec: { ...sts.spec, template } } });
          },
          { deadline, what: `updating the pod template of StatefulSet ${name}` },
        );
        return out.metadata?.generation ?? 0;
      } catch (err) {
        if (httpStatus(err) === 409 && attempt < 5) continue;
        if (err instanceof ClusterError) throw err;
        throw new ClusterError(`cannot update the pod template of StatefulSet ${name} in namespace ${namespace}: ${describeError(err)}`);
      }
    }
  }

  /** Polls the StatefulSet (the recorder does not watch it) until the controller observed `generation`; returns status.updateRevision. */
  private async waitRevision(read: () => Promise<V1StatefulSet>, generation: number, deadline: number): Promise<string> {
    const name = this.w.info.statefulSet;
    this.o.log(`waiting for the controller to observe generation ${generation} of StatefulSet ${name} and name its updateRevision`);
    let seen = 'nothing read yet';
    while (Date.now() < deadline) {
      const sts = await read();
      const st = sts.status;
      seen = `observedGeneration ${st?.observedGeneration ?? 'unset'} (generation ${sts.metadata?.generation}), updateRevision ${st?.updateRevision ?? 'unset'}, currentRevision ${st?.currentRevision ?? 'unset'}`;
      if ((st?.observedGeneration ?? 0) >= generation && st?.updateRevision) return st.updateRevision;
      await new Promise((r) => setTimeout(r, TIMEOUTS.revisionPoll));
    }
    throw new ClusterError(
      `timed out waiting for the StatefulSet controller to observe generation ${generation} of ${name}: last seen ${seen}`,
    );
  }

  private async deletePod(pod: string, uid: string, deadline: number): Promise<void> {
    const namespace = this.w.info.namespace;
    try {
      await retryTransient(
        async (attempt) => {
          try {
            await this.cluster.core.deleteNamespacedPod({ name: pod, namespace, body: { preconditions: { uid } } });
          } catch (err) {
            // After a dropped connection the first try may have landed: gone (404) or replaced (409).
            if (attempt > 1 && (httpStatus(err) === 404 || httpStatus(err) === 409)) return;
            throw err;
          }
        },
        { deadline, what: `operator delete of pod ${pod}` },
      );
    } catch (err) {
      if (err instanceof ObservationError) throw err;
      throw new ClusterError(`operator delete of pod ${pod} (uid ${uid}) in namespace ${namespace} failed: ${describeError(err)}`);
    }
  }
}

function strategyOf(sts: V1StatefulSet): Strategy {
  const u = sts.spec?.updateStrategy;
  if (u?.type === 'OnDelete') return { strategy: 'OnDelete', partition: 0 };
  const max = u?.rollingUpdate?.maxUnavailable;
  return {
    strategy: 'RollingUpdate',
    partition: u?.rollingUpdate?.partition ?? 0,
    ...(typeof max === 'number' ? { maxUnavailable: max } : {}),
  };
}

function withImage(t: V1PodTemplateSpec, container: string, image: string): V1PodTemplateSpec {
  const containers = (t.spec?.containers ?? []).map((c) => (c.name === container ? { ...c, image } : c));
  return { ...t, spec: { ...t.spec, containers } };
}
