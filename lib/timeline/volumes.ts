// Which volume behaviour a run saw. Node-local storage (the local cluster's `local-node`
// class, kind's local-path) writes a PV whose spec.nodeAffinity pins it to the node that
// first used it, so a pod with that claim can only ever run there; a shared or network
// volume (the local `standard` class, cloud disks that attach anywhere in a zone) has
// none. STS-PVC-BINDING and the report say which; STS-RECOVERY uses it to explain a
// replacement stuck Pending because its volume's node is down.
import { inOrder, isPodEntry } from './queries.ts';
import type { TimelineEntry } from './entries.ts';

/**
 * The volume behaviour the run saw: PVs pinned to a node by
 * spec.nodeAffinity (node-local storage), shared/network volumes without, or both.
 */
export interface VolumeBehaviour {
  kind: 'node-pinned' | 'shared' | 'mixed';
  /** claim name -> the node its PV is pinned to. */
  pinned: Record<string, string>;
  /** claims whose PV has no node affinity. */
  shared: string[];
}

/** Claims by what their PV said last (up to `until`, an entry index); undefined when no bound PV was recorded. */
export function volumeBehaviour(timeline: readonly TimelineEntry[], until?: number): VolumeBehaviour | undefined {
  const pinned: Record<string, string> = {};
  const shared = new Set<string>();
  for (const e of inOrder(timeline).slice(0, until)) {
    if (e.type === 'MARKER' || e.kind !== 'PersistentVolume' || !e.pv?.claimName) continue;
    const claim = e.pv.claimName;
    if (e.pv.pinnedNode) {
      pinned[claim] = e.pv.pinnedNode;
      shared.delete(claim);
    } else {
      delete pinned[claim];
      shared.add(claim);
    }
  }
  const pinnedCount = Object.keys(pinned).length;
  if (pinnedCount === 0 && shared.size === 0) return undefined;
  const kind = shared.size === 0 ? 'node-pinned' : pinnedCount === 0 ? 'shared' : 'mixed';
  return { kind, pinned, shared: [...shared].sort() };
}

/** One line for evidence and the report. */
export function describeVolumes(v: VolumeBehaviour): string {
  const pins = Object.entries(v.pinned)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([claim, node]) => `${claim} on ${node}`);
  if (v.kind === 'node-pinned') return `node-pinned volumes (PV spec.nodeAffinity): ${pins.join(', ')}`;
  if (v.kind === 'shared') return `shared or network volumes (no PV node affinity): ${v.shared.join(', ')}`;
  return `mixed: node-pinned ${pins.join(', ')}; shared ${v.shared.join(', ')}`;
}

/** A replacement held Pending by a volume pinned to a node a node fault took down. */
export interface PinnedWait {
  claim: string;
  node: string;
  /** Run ms of the node-down marker, and of the node-up (absent: still down at `until`). */
  downAt: number;
  upAt?: number;
  /** Run ms the pod first ran: only after the node was back (absent: still Pending at `until`). */
  runningAt?: number;
}

/**
 * Whether pod `name` (uid `uid`), up to entry `until`, was held Pending by a claim pinned
 * to a node that was down while it waited: either it is still Pending with that node
 * down, or it ran only once the node was back. The scheduler can place it nowhere else,
 * so this is expected for node-local storage: a finding about the storage, not an error.
 */
export function pinnedWait(timeline: readonly TimelineEntry[], name: string, uid: string, until: number): PinnedWait | undefined {
  const entries = inOrder(timeline).slice(0, until);
  const own = entries.filter((e) => isPodEntry(e) && e.name === name && e.pod.uid === uid);
  const first = own[0];
  const last = own.at(-1);
  if (!first || !last || !isPodEntry(last) || last.type === 'DELETED') return undefined;
  const running = own.find((e) => isPodEntry(e) && e.pod.phase === 'Running');
  if (!running && last.pod.phase !== 'Pending') return undefined;
  const volumes = volumeBehaviour(entries);
  for (const claim of Object.values(last.pod.claims).sort()) {
    const node = volumes?.pinned[claim];
    if (!node) continue;
    for (const [i, e] of entries.entries()) {
      if (e.type !== 'MARKER' || e.marker !== 'node-down' || e.node !== node) continue;
      const up = entries.slice(i + 1).find((u) => u.type === 'MARKER' && u.marker === 'node-up' && u.node === node);
      // Still down and still Pending, or down while it was Pending and running only after it came back.
      const held = running ? !!up && e.t <= running.t && up.t >= first.t && up.t <= running.t : !up;
      if (held) return { claim, node, downAt: e.t, ...(up ? { upAt: up.t } : {}), ...(running ? { runningAt: running.t } : {}) };
    }
  }
  return undefined;
}

/** The evidence sentence for a pinned wait. */
export function describePinnedWait(w: PinnedWait): string {
  return w.runningAt === undefined
    ? `volume ${w.claim} pinned to node ${w.node}, which is down: the replacement cannot start elsewhere — expected for node-local storage`
    : `it waited Pending for node ${w.node} (volume ${w.claim} pinned there; the node was down from t=${w.downAt}ms to t=${w.upAt}ms) and ran only once it was back — expected for node-local storage`;
}
