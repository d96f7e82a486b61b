// Reduce API objects to the few facts the checks need. Objects come both from typed
// list calls (timestamps as Date) and from raw watch events (timestamps as strings),
// so every timestamp goes through iso().
import type { CoreV1Event, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { EventState, PdbState, PodState, PvcState, PvState } from '../timeline/entries.ts';

function iso(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString();
  return typeof v === 'string' ? v : undefined;
}

export function podState(p: V1Pod): PodState {
  const ready = p.status?.conditions?.find((c) => c.type === 'Ready');
  const claims: Record<string, string> = {};
  for (const v of p.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) claims[v.name] = v.persistentVolumeClaim.claimName;
  }
  const waiting = [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]
    .map((c) => c.state?.waiting)
    .filter((w) => w?.reason)
    .map((w) => (w?.message ? `${w.reason}: ${w.message}` : `${w?.reason}`));
  const s: PodState = {
    uid: p.metadata?.uid ?? '',
    phase: p.status?.phase ?? 'Unknown',
    ready: ready?.status === 'True',
    claims,
  };
  const readySince = ready?.status === 'True' ? iso(ready.lastTransitionTime) : undefined;
  if (readySince) s.readySince = readySince;
  const created = iso(p.metadata?.creationTimestamp);
  if (created) s.created = created;
  if (p.status?.podIP) s.ip = p.status.podIP;
  if (p.spec?.hostname) s.hostname = p.spec.hostname;
  if (p.spec?.subdomain) s.subdomain = p.spec.subdomain;
  if (p.spec?.nodeName) s.node = p.spec.nodeName;
  const del = iso(p.metadata?.deletionTimestamp);
  if (del) s.deletionTimestamp = del;
  const rev = p.metadata?.labels?.['controller-revision-hash'];
  if (rev) s.revision = rev;
  if (waiting.length) s.waiting = waiting;
  const restarts = (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
  if (restarts > 0) s.restartCount = restarts;
  const target = p.status?.conditions?.find((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  if (target?.reason) s.disruptionTarget = target.reason;
  if (p.status?.reason) s.reason = p.status.reason;
  // The kubelet's eviction message names the resource and limit; capped, it is evidence only.
  if (p.status?.message) s.message = p.status.message.slice(0, 300);
  return s;
}

export function pvcState(c: V1PersistentVolumeClaim): PvcState {
  const s: PvcState = { uid: c.metadata?.uid ?? '', phase: c.status?.phase ?? 'Unknown' };
  if (c.spec?.volumeName) s.volumeName = c.spec.volumeName;
  if (c.spec?.storageClassName) s.storageClass = c.spec.storageClassName;
  const del = iso(c.metadata?.deletionTimestamp);
  if (del) s.deletionTimestamp = del;
  return s;
}

export function pvState(v: V1PersistentVolume): PvState {
  const s: PvState = { uid: v.metadata?.uid ?? '', phase: v.status?.phase ?? 'Unknown' };
  if (v.spec?.claimRef?.uid) s.claimUid = v.spec.claimRef.uid;
  if (v.spec?.claimRef?.name) s.claimName = v.spec.claimRef.name;
  const node = pinnedNodeOf(v);
  if (node) s.pinnedNode = node;
  return s;
}

/**
 * The node a PV's required node affinity names (kubernetes.io/hostname In [node]), as the
 * local-path provisioner and the local-node class write it. Any other affinity pins the
 * volume too, to something other than one node: it is reported by its key.
 */
function pinnedNodeOf(v: V1PersistentVolume): string | undefined {
  const terms = v.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const e of term.matchExpressions ?? []) {
      if (e.key === 'kubernetes.io/hostname' && e.operator === 'In' && e.values?.length === 1) return e.values[0];
    }
  }
  const key = terms[0]?.matchExpressions?.[0]?.key;
  return key ? `(${key})` : undefined;
}

export function eventState(e: CoreV1Event): EventState {
  const s: EventState = {
    uid: e.metadata?.uid ?? '',
    reason: e.reason ?? '',
    message: e.message ?? '',
    type: e.type ?? 'Normal',
    involved: `${e.involvedObject?.kind ?? '?'}/${e.involvedObject?.name ?? '?'}`,
  };
  if (e.count !== undefined) s.count = e.count;
  return s;
}

/** One line per pod for progress output and timeout reports. */
export function describePod(name: string, s: PodState): string {
  const state = s.deletionTimestamp ? 'Terminating' : s.phase;
  const extra = s.waiting?.length ? ` (${s.waiting.join('; ')})` : '';
  return `${name} ${state}${s.ready ? '/Ready' : ''}${extra}`;
}

export function pdbState(b: V1PodDisruptionBudget): PdbState {
  const st = b.status;
  const s: PdbState = {
    uid: b.metadata?.uid ?? '',
    disruptionsAllowed: st?.disruptionsAllowed ?? 0,
    currentHealthy: st?.currentHealthy ?? 0,
    desiredHealthy: st?.desiredHealthy ?? 0,
    expectedPods: st?.expectedPods ?? 0,
  };
  if (b.metadata?.generation !== undefined) s.generation = b.metadata.generation;
  if (st?.observedGeneration !== undefined) s.observedGeneration = st.observedGeneration;
  const disrupted = Object.keys(st?.disruptedPods ?? {}).sort();
  if (disrupted.length) s.disruptedPods = disrupted;
  return s;
}
