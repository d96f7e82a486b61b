// `ordinal run --target <namespace>/<statefulset>`: chaos against a StatefulSet the run
// did not create. Safety first: the StatefulSet must carry ordinal.dev/chaos=allowed;
// only pods it owns (its selector AND a controller ownerReference with its UID) are
// ever deleted; nothing is created, scaled or deleted in its namespace. The only write
// besides the kills is the sentinel file in each pod's claim mount (`--sentinel off`
// turns it off), removed again when the run ends.
import type { V1LabelSelector, V1Pod, V1Service, V1StatefulSet } from '@kubernetes/client-node';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { type Cluster, clusterFacts } from '../../cluster/cluster.ts';
import { ClusterError, UsageError, describeError, httpStatus } from '../../errors.ts';
import { retryTransient } from '../../cluster/retry.ts';
import { workloadFromStatefulSet, type DerivedWorkload } from '../../workloads/derive.ts';
import type { RunOptions } from '../options.ts';
import { podsOf } from '../plan.ts';
import type { Subject } from '../context.ts';
import { TIMEOUTS } from '../../timeouts.ts';
import { adaptProbes, imageFacts, removeSentinels } from './user-image.ts';

export const CHAOS_LABEL = 'ordinal.dev/chaos';
export const CHAOS_ALLOWED = 'allowed';

export interface TargetRef {
  namespace: string;
  name: string;
}

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const TARGET = new RegExp(`^(${DNS_LABEL})/(${DNS_LABEL}(\\.${DNS_LABEL})*)$`);

export function parseTargetRef(text: string): TargetRef {
  const m = TARGET.exec(text);
  if (!m?.[1] || !m[3]) throw new UsageError(`--target must be <namespace>/<statefulset> (lower-case DNS names), got "${text}"`);
  return { namespace: m[1], name: m[3] };
}

/** The one command that opts a StatefulSet in. */
export function optInCommand(t: TargetRef): string {
  return `kubectl -n ${t.namespace} label statefulset ${t.name} ${CHAOS_LABEL}=${CHAOS_ALLOWED}`;
}

/** Why the run must not touch this StatefulSet (one line, with the way to opt in), or undefined when it is opted in. */
export function refusalOf(t: TargetRef, labels: Record<string, string> | undefined): string | undefined {
  const v = labels?.[CHAOS_LABEL];
  if (v === CHAOS_ALLOWED) return undefined;
  const has = v === undefined ? '' : ` (it has ${CHAOS_LABEL}=${v})`;
  return `refusing to disrupt StatefulSet ${t.namespace}/${t.name}: it is not labelled ${CHAOS_LABEL}=${CHAOS_ALLOWED}${has}; to opt in, run: ${optInCommand(t)}`;
}

/** Kubernetes label-selector semantics: every matchLabels pair and every matchExpressions term. */
export function selectorMatches(sel: V1LabelSelector | undefined, labels: Record<string, string> = {}): boolean {
  if (!sel || (!sel.matchLabels && !sel.matchExpressions)) return false; // an empty selector would select everything: never
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const v = labels[e.key];
    const ok =
      e.operator === 'In'
        ? has && (e.values ?? []).includes(v ?? '')
        : e.operator === 'NotIn'
          ? !has || !(e.values ?? []).includes(v ?? '')
          : e.operator === 'Exists'
            ? has
            : e.operator === 'DoesNotExist'
              ? !has
              : false;
    if (!ok) return false;
  }
  return true;
}

/** Why `pod` is not the StatefulSet's own (selector and controller ownerReference UID), or undefined when it is. */
export function notOwned(sts: Pick<V1StatefulSet, 'metadata' | 'spec'>, pod: Pick<V1Pod, 'metadata'>): string | undefined {
  const uid = sts.metadata?.uid;
  const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!uid || owner?.uid !== uid || owner.kind !== 'StatefulSet') {
    return `its controller is ${owner ? `${owner.kind} ${owner.name} (uid ${owner.uid})` : 'none'}, not StatefulSet ${sts.metadata?.name} (uid ${uid})`;
  }
  if (!selectorMatches(sts.spec?.selector, pod.metadata?.labels)) return `its labels do not match the StatefulSet's selector`;
  return undefined;
}

export interface Target {
  ref: TargetRef;
  sts: V1StatefulSet;
  service: V1Service | undefined;
}

const rbacHint = 'see docs/own-statefulset.md (RBAC) for the RoleBinding --target needs (examples/rbac.yaml, ClusterRole ordinal-target)';

/** Reads the StatefulSet and its governing Service; exit 2 when it is missing or not opted in. */
export async function readTarget(cluster: Cluster, ref: TargetRef): Promise<Target> {
  let sts: V1StatefulSet;
  try {
    sts = await cluster.apps.readNamespacedStatefulSet({ name: ref.name, namespace: ref.namespace });
  } catch (err) {
    if (httpStatus(err) === 404) throw new UsageError(`--target ${ref.namespace}/${ref.name}: no such StatefulSet`);
    throw new ClusterError(
      `cannot read StatefulSet ${ref.namespace}/${ref.name}: ${describeError(err)}${httpStatus(err) === 403 ? `; ${rbacHint}` : ''}`,
    );
  }
  const refusal = refusalOf(ref, sts.metadata?.labels);
  if (refusal) throw new UsageError(refusal);
  let service: V1Service | undefined;
  const serviceName = sts.spec?.serviceName;
  if (serviceName) {
    try {
      service = await cluster.core.readNamespacedService({ name: serviceName, namespace: ref.namespace });
    } catch (err) {
      if (httpStatus(err) !== 404)
        throw new ClusterError(
          `cannot read Service ${ref.namespace}/${serviceName}: ${describeError(err)}${httpStatus(err) === 403 ? `; ${rbacHint}` : ''}`,
        );
    }
  }
  return { ref, sts, service };
}

export function targetWorkload(t: Target, o: { sentinel: 'on' | 'off'; sentinelPath?: string }): DerivedWorkload {
  // V1StatefulSet (client) and IStatefulSet (models) describe the same JSON.
  return workloadFromStatefulSet(t.sts as unknown as IStatefulSet, {
    kind: 'target',
    namespace: t.ref.namespace,
    service: t.service,
    sentinel: o.sentinel,
    ...(o.sentinelPath ? { sentinelPath: o.sentinelPath } : {}),
  });
}

/** The StatefulSet's own pods now: by its selector, then kept only with its controller ownerReference. */
export async function ownPods(cluster: Cluster, t: Target): Promise<V1Pod[]> {
  const labelSelector = Object.entries(t.sts.spec?.selector?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const list = await cluster.core.listNamespacedPod({ namespace: t.ref.namespace, ...(labelSelector ? { labelSelector } : {}) });
  return list.items.filter((p) => notOwned(t.sts, p) === undefined);
}

/** The owner took the opt-in label off (or deleted the StatefulSet) during the run. */
export class OptOutError extends ClusterError {
  override name = 'OptOutError';
}

/**
 * The opt-in, confirmed again before every disruption and every exec: the owner may take
 * the label off at any moment, and that must hold at once. Once it is gone the run stops
 * disrupting and touches nothing more (not even its own sentinel files): every later
 * confirm refuses without asking. Only the StatefulSet's label is the opt-in; a namespace
 * label is the cluster-side policy's business (examples/rbac.yaml), not the harness's.
 */
export class OptIn {
  #revoked: string | undefined;
  readonly #cluster: Cluster;
  readonly #ref: TargetRef;

  constructor(cluster: Cluster, ref: TargetRef) {
    this.#cluster = cluster;
    this.#ref = ref;
  }

  /** Why the run stopped, once the label was seen gone; undefined while it holds. */
  get revoked(): string | undefined {
    return this.#revoked;
  }

  /** Throws OptOutError if the label was seen gone before, now or while reading (fail closed). */
  async confirm(before: string): Promise<void> {
    if (this.#revoked) throw new OptOutError(this.#revoked);
    const { namespace, name } = this.#ref;
    let labels: Record<string, string> | undefined;
    try {
      const sts = await retryTransient(() => this.#cluster.apps.readNamespacedStatefulSet({ name, namespace }), {
        deadline: Date.now() + TIMEOUTS.targetRead,
        what: `reading StatefulSet ${namespace}/${name} to confirm its opt-in`,
      });
      labels = sts.metadata?.labels ?? {};
    } catch (err) {
      if (httpStatus(err) !== 404)
        throw new ClusterError(
          `refusing ${before}: cannot read StatefulSet ${namespace}/${name} to confirm its ${CHAOS_LABEL}=${CHAOS_ALLOWED} label: ${describeError(err)}`,
        );
    }
    if (labels?.[CHAOS_LABEL] === CHAOS_ALLOWED) return;
    const now =
      labels === undefined
        ? 'it was deleted'
        : labels[CHAOS_LABEL] === undefined
          ? 'the label was removed'
          : `it is now ${CHAOS_LABEL}=${labels[CHAOS_LABEL]}`;
    this.#revoked = `StatefulSet ${namespace}/${name} is no longer labelled ${CHAOS_LABEL}=${CHAOS_ALLOWED} (${now}; seen before ${before}): stopped disrupting and left everything as it is`;
    throw new OptOutError(this.#revoked);
  }

  /** For the run's phase boundaries: a refusal a probe recorded as unobserved still ends the run. */
  throwIfRevoked(): void {
    if (this.#revoked) throw new OptOutError(this.#revoked);
  }
}

/**
 * Called before every kill: confirms the opt-in, then reads the pod and refuses
 * (ClusterError) unless it is the StatefulSet's own, with the UID the delete will carry
 * as its precondition; so the pod checked is the pod deleted.
 */
export function killGuard(cluster: Cluster, t: Target, optIn: OptIn): (pod: string, uid: string) => Promise<void> {
  return async (pod, uid) => {
    await optIn.confirm(`disrupting pod ${pod}`);
    let p: V1Pod;
    try {
      // An API server restart is ridden out as the delete itself would be.
      p = await retryTransient(() => cluster.core.readNamespacedPod({ name: pod, namespace: t.ref.namespace }), {
        deadline: Date.now() + TIMEOUTS.targetRead,
        what: `reading pod ${pod} before its delete`,
      });
    } catch (err) {
      throw new ClusterError(
        `refusing to delete pod ${t.ref.namespace}/${pod}: cannot read it to confirm it belongs to StatefulSet ${t.ref.name}: ${describeError(err)}`,
      );
    }
    if (p.metadata?.uid !== uid)
      throw new ClusterError(`refusing to delete pod ${t.ref.namespace}/${pod}: its uid is ${p.metadata?.uid}, not ${uid} as observed`);
    const why = notOwned(t.sts, p);
    if (why) throw new ClusterError(`refusing to delete pod ${t.ref.namespace}/${pod}: ${why}`);
  };
}

/** A --target subject: adopted, never created, scaled or deleted; every disruption passes killGuard. */
export async function targetSubject(cluster: Cluster, o: RunOptions, ref: string): Promise<Subject> {
  const t = await readTarget(cluster, parseTargetRef(ref));
  const workload = targetWorkload(t, { sentinel: o.sentinel ?? 'on', ...(o.sentinelPath ? { sentinelPath: o.sentinelPath } : {}) });
  const { storageClass, image } = imageFacts(workload, t.sts);
  const facts = await clusterFacts(cluster, storageClass, image, true);
  const where = `${t.ref.namespace}/${t.ref.name}`;
  let sentinelPods: string[] = [];
  const optIn = new OptIn(cluster, t.ref);
  // Every exec of this run (probes, sentinels, container-kill) goes through execIn, which asks first.
  cluster.beforeExec = (namespace, pod) => (namespace === t.ref.namespace ? optIn.confirm(`exec in pod ${pod}`) : Promise.resolve());
  return {
    kind: 'target',
    workload,
    facts,
    label: `target ${where}`,
    header: [],
    open: async () => {},
    openCanary: async (ctx) =>
      ctx.log(`detection latency will not be measured: the canary ConfigMap would be a write into namespace ${t.ref.namespace}`),
    deploy: async () => {},
    adapt: (ctx) => adaptProbes(ctx.cluster, workload, o.clusterDomain, ctx.log),
    guard: killGuard(cluster, t, optIn),
    throwIfWithdrawn: () => optIn.throwIfRevoked(),
    trafficSkip: 'a --target run writes nothing into the application',
    scaleSkip: 'a --target run never scales the StatefulSet',
    claimSentinels: (ctx) => {
      if (!workload.sentinelSkip) sentinelPods = podsOf(ctx.plan.ordinals);
    },
    cleanUp: async (ctx) => {
      // Nothing of the target is deleted or scaled; only the run's own sentinel files go,
      // unless the owner withdrew the opt-in: then not even that exec happens.
      if (optIn.revoked) ctx.log(`sentinel files left in ${sentinelPods.join(', ') || 'no pod'}: ${optIn.revoked}`);
      else await removeSentinels(ctx.cluster, workload, sentinelPods, ctx.log);
      ctx.log(`target ${where} left in place: not scaled, nothing deleted`);
    },
  };
}
