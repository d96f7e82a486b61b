// When a node was really down, as STS-AT-MOST-ONE needs it: from the `node-down` marker to
// the first proof that the node's kubelet was back, not only to the `node-up` marker. The
// marker comes when the adapter's start returns, and the local cluster's returns only once
// the Node is Ready again: under load the kubelet had reported etcd-1 Ready 2.2 s before it
// and completed its graceful deletion 0.7 s before it (seed 4004,
// test/fixtures/etcd-3x3-seed4004-kubelet-restart.checkinput.json). A deletion the kubelet
// completed is confirmed, whatever the Node's condition says.
//
// The Node and its Lease are not on the run's watch, so the proofs come from pods on that
// node: a change only the kubelet writes (Ready turning True, phase turning Running or
// Succeeded, or Failed with no DisruptionTarget of pod GC, a container restart count rising).
// The node lifecycle controller writes Ready=False and the taint-eviction controller a
// DisruptionTarget, so neither is a proof. A status the kubelet wrote just before it
// stopped may reach the watch after the marker, so a change counts only against a state of
// that pod recorded after the marker.
import type { PodState, TimelineEntry } from './entries.ts';
import { isPodEntry, markersOf, type PodEntry } from './queries.ts';

/** Pod GC marks a pod Failed with this DisruptionTarget reason before it deletes it: not the kubelet's doing. */
const POD_GC_CONDITION = 'DeletionByPodGC';

/** A change of a pod's state that only its node's kubelet makes, or undefined. */
export function kubeletChange(before: PodState, after: PodState): string | undefined {
  if (after.phase !== before.phase) {
    if (after.phase === 'Running' || after.phase === 'Succeeded') return `phase ${after.phase}`;
    if (after.phase === 'Failed' && after.disruptionTarget !== POD_GC_CONDITION) return 'phase Failed';
  }
  if (after.ready && !before.ready) return 'Ready';
  if ((after.restartCount ?? 0) > (before.restartCount ?? 0)) return `restart count ${after.restartCount}`;
  return undefined;
}

export interface KubeletProof {
  index: number;
  t: number;
  pod: string;
  uid: string;
  /** What the kubelet reported: "Ready", "phase Succeeded", "restart count 2". */
  what: string;
}

/** The first kubelet-only change of a pod on `node` in (from, to), against a state of that pod recorded after `from`. */
export function kubeletProof(entries: readonly TimelineEntry[], node: string, from: number, to: number): KubeletProof | undefined {
  const seen = new Map<string, PodEntry>();
  for (let i = from + 1; i < to && i < entries.length; i++) {
    const e = entries[i];
    if (!e || !isPodEntry(e) || e.type === 'DELETED' || e.pod.node !== node) continue;
    const prev = seen.get(e.pod.uid);
    seen.set(e.pod.uid, e);
    const what = prev && kubeletChange(prev.pod, e.pod);
    if (what) return { index: i, t: e.t, pod: e.name, uid: e.pod.uid, what };
  }
  return undefined;
}

export interface NodeOutage {
  node: string;
  /** Index and run ms of the `node-down` marker. */
  from: number;
  t: number;
  /** Index where the outage ended: the first kubelet proof or the `node-up` marker, whichever came first (entries.length: neither). */
  to: number;
  /** The `node-up` marker's index and run ms, when one came. */
  up?: { index: number; t: number };
  /** The kubelet's first report, when it came before `node-up`. */
  proof?: KubeletProof;
}

/** Every node-down interval in `entries` (timeline order, as from inOrder), ended as early as the evidence allows. */
export function nodeOutages(entries: readonly TimelineEntry[]): NodeOutage[] {
  const ups = markersOf(entries, 'node-up');
  return markersOf(entries, 'node-down').map(({ index, marker }) => {
    const up = ups.find((u) => u.index > index && u.marker.node === marker.node);
    const upIndex = up?.index ?? entries.length;
    const proof = kubeletProof(entries, marker.node, index, upIndex);
    return {
      node: marker.node,
      from: index,
      t: marker.t,
      to: proof?.index ?? upIndex,
      ...(up ? { up: { index: up.index, t: up.marker.t } } : {}),
      ...(proof ? { proof } : {}),
    };
  });
}

/** Evidence wording: "its kubelet reported etcd-1 Ready at t=…ms". */
export function describeProof(p: KubeletProof): string {
  return `its kubelet reported ${p.pod} (uid ${p.uid}) ${p.what} at t=${p.t}ms`;
}

/**
 * The kubelet's own report that generation `uid` stopped: a terminal phase (Succeeded, or
 * Failed not written by pod GC) before index `before`. The kubelet writes it only once every
 * container of the pod has exited, so the pod was gone on its node whenever the object left.
 */
export function kubeletStopped(
  entries: readonly TimelineEntry[],
  uid: string,
  before: number,
): { index: number; t: number; phase: string } | undefined {
  for (let i = 0; i < before && i < entries.length; i++) {
    const e = entries[i];
    if (!e || !isPodEntry(e) || e.type === 'DELETED' || e.pod.uid !== uid) continue;
    if (e.pod.phase === 'Succeeded' || (e.pod.phase === 'Failed' && e.pod.disruptionTarget !== POD_GC_CONDITION))
      return { index: i, t: e.t, phase: e.pod.phase };
  }
  return undefined;
}
