// Deploying a workload and the two waits that matter: the initial rollout and a
// round's recovery. Both are predicates over the recorder's state, re-evaluated on
// every watch entry, each with a deadline and a description of what it saw.
import type { Cluster } from '../cluster/cluster.ts';
import { ClusterError, describeError, httpStatus } from '../errors.ts';
import type { Recorder } from '../observe/recorder.ts';
import { retryTransient } from '../cluster/retry.ts';
import { ordinals, podName, startOrdinal } from '../names.ts';
import { isReady, minReadySecondsOf, pullFailure } from '../timeline/queries.ts';
import type { Workload } from '../workloads/common.ts';
import type { RunContext } from './context.ts';

export async function deployWorkload(cluster: Cluster, w: Workload): Promise<void> {
  const namespace = w.info.namespace;
  for (const obj of w.objects) {
    const body = obj as { kind?: string; metadata?: { name?: string } };
    try {
      if (body.kind === 'Service') await cluster.core.createNamespacedService({ namespace, body });
      else if (body.kind === 'StatefulSet') await cluster.apps.createNamespacedStatefulSet({ namespace, body });
      else if (body.kind === 'PodDisruptionBudget') await cluster.policy.createNamespacedPodDisruptionBudget({ namespace, body });
      else throw new Error(`no create call for kind ${body.kind}`);
    } catch (err) {
      throw new ClusterError(`cannot create ${body.kind} ${body.metadata?.name} in namespace ${namespace}: ${describeError(err)}`);
    }
  }
}

/** Stops a wait at once when a pod cannot pull its image or a claim cannot be provisioned. */
function clusterProblem(rec: Recorder, image: string): Error | undefined {
  for (const [name, p] of rec.pods) {
    const pull = pullFailure(p);
    if (pull) {
      return new ClusterError(
        `image ${image} cannot be pulled for pod ${name}: ${pull}. Pass --image with an image the nodes can pull (on air-gapped clusters, preload it)`,
        rec.describeState(),
      );
    }
  }
  const prov = rec.events.find((e) => e.reason === 'ProvisioningFailed');
  if (prov) return new ClusterError(`volume provisioning failed for ${prov.involved}: ${prov.message}`, rec.describeState());
  return undefined;
}

/**
 * The revision every pod must run, or per pod: after an update with a partition the
 * ordinals below it stay at the old revision (lib/update/session.ts).
 */
export type ExpectedRevision = string | Readonly<Record<string, string>>;

export const revisionFor = (r: ExpectedRevision | undefined, pod: string): string | undefined => (typeof r === 'object' ? r[pod] : r);

/** Every ordinal ready by isReady: with minReadySeconds, Available by the clock now. */
function allReady(rec: Recorder, w: Workload, revision?: ExpectedRevision): boolean {
  const at = { minReadySeconds: minReadySecondsOf(w.info), wall: Date.now() };
  for (const i of ordinals(w.info)) {
    const name = podName(w.info, i);
    const p = rec.pods.get(name);
    if (!isReady(p, at)) return false;
    const want = revisionFor(revision, name);
    if (want && p?.revision !== want) return false;
  }
  return true;
}

function describeExpected(r: ExpectedRevision): string {
  if (typeof r === 'string') return `at revision ${r}`;
  const revs = new Set(Object.values(r));
  return revs.size === 1
    ? `at revision ${[...revs][0]}`
    : `at their revisions (${Object.entries(r)
        .map(([p, v]) => `${p} ${v}`)
        .join(', ')})`;
}

function readiness(w: Workload): string {
  const s = minReadySecondsOf(w.info);
  return s > 0 ? `Ready and Available (minReadySeconds ${s})` : 'Ready';
}

/** Waits for every ordinal to be Running and Ready; returns the revision they run. */
export async function waitRollout(ctx: Pick<RunContext, 'cluster' | 'recorder' | 'subject' | 'timeouts' | 'options'>): Promise<string> {
  const { cluster, recorder: rec } = ctx;
  const w = ctx.subject.workload;
  const timeoutMs = ctx.timeouts.rollout;
  const image = ctx.options.image;
  await rec.waitFor({
    describe: `${w.info.replicas} pods of StatefulSet ${w.info.statefulSet} to be Running and ${readiness(w)}`,
    timeoutMs,
    clock: minReadySecondsOf(w.info) > 0,
    until: () => (allReady(rec, w) ? true : undefined),
    failFast: () => clusterProblem(rec, image),
  });
  const sts = await retryTransient(
    () => cluster.apps.readNamespacedStatefulSet({ name: w.info.statefulSet, namespace: w.info.namespace }),
    {
      deadline: Date.now() + timeoutMs,
      what: `reading StatefulSet ${w.info.statefulSet}`,
    },
  );
  return sts.status?.updateRevision ?? rec.pods.get(podName(w.info, startOrdinal(w.info)))?.revision ?? '';
}

/**
 * Converged: every ordinal Ready at its expected revision, and every killed pod replaced
 * (a new UID), so a pod that still looks Ready before its deletion arrives never counts.
 */
export function waitConverged(
  rec: Recorder,
  w: Workload,
  revision: ExpectedRevision,
  killed: Map<string, string>,
  timeoutMs: number,
  what: string,
): Promise<true> {
  return rec.waitFor({
    describe: `${what}: all ${w.info.replicas} pods ${readiness(w)} ${describeExpected(revision)}`,
    timeoutMs,
    clock: minReadySecondsOf(w.info) > 0,
    until: () => {
      for (const [pod, oldUid] of killed) if (rec.pods.get(pod)?.uid === oldUid) return undefined;
      return allReady(rec, w, revision) ? true : undefined;
    },
  });
}

/**
 * Lowers replicas to `to` through the scale subresource and waits until every pod
 * above it is gone; the timeline between the markers is what STS-ORDER-SCALEDOWN judges.
 */
export async function scaleDown(
  ctx: Pick<RunContext, 'cluster' | 'recorder' | 'subject' | 'timeouts'>,
  to: number,
  requested?: () => Promise<void>,
): Promise<void> {
  const { cluster, recorder: rec } = ctx;
  const w = ctx.subject.workload;
  const timeoutMs = ctx.timeouts.scaleDown;
  const { statefulSet: name, namespace, replicas } = w.info;
  rec.mark({ marker: 'scale-down', from: replicas, to });
  // Read-modify-write of the scale subresource; a 409 (someone else bumped the
  // resourceVersion, e.g. the controller's status update) is simply retried.
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      await retryTransient(
        async () => {
          const scale = await cluster.apps.readNamespacedStatefulSetScale({ name, namespace });
          await cluster.apps.replaceNamespacedStatefulSetScale({ name, namespace, body: { ...scale, spec: { replicas: to } } });
        },
        { deadline, what: `scaling StatefulSet ${name}` },
      );
      break;
    } catch (err) {
      if (httpStatus(err) === 409 && attempt < 5) continue;
      throw new ClusterError(`cannot scale StatefulSet ${name} in namespace ${namespace} to ${to}: ${describeError(err)}`);
    }
  }
  await requested?.();
  await rec.waitFor({
    describe: `scale-down of ${name} from ${replicas} to ${to} (pods above ordinal ${to - 1} gone)`,
    timeoutMs,
    until: () => {
      for (const i of ordinals(w.info).slice(to)) if (rec.pods.has(podName(w.info, i))) return undefined;
      return true;
    },
  });
  rec.mark({ marker: 'scale-down-complete' });
}
