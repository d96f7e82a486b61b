// Which volume behaviour a run saw. Node-local storage (the local cluster's `local-node`
// class, kind's local-path) writes a PV whose spec.nodeAffinity pins it to the node that
// first used it, so a pod with that claim can only ever run there; a shared or network
// volume (the local `standard` class, cloud disks that attach anywhere in a zone) has
// none. STS-PVC-BINDING and the report say which; STS-RECOVERY uses it to explain a
// replacement stuck Pending because its volume's node is down.
import type { VolumeBehaviour } from '../types.ts';
import { inOrder, isPodEntry } from './queries.ts';
import type { TimelineEntry } from './types.ts';

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
  const pins = Object.entries(v.pinned).sort(([a], [b]) => a.localeCompare(b)).map(([claim, node]) => `${claim} on ${node}`);
  if (v.kind === 'node-pinned') return `node-pinned volumes (PV spec.nodeAffinity): ${pins.join(', ')}`;
  if (v.kind === 'shared') return `shared or network volumes (no PV node affinity): ${v.shared.join(', ')}`;
  return `mixed: node-pinned ${pins.join(', ')}; shared ${v.shared.join(', ')}`;
}

/** A replacement that cannot start anywhere else: Pending, with a claim whose PV is pinned to a node that is down. */
export interface PinnedToDownNode {
  claim: string;
  node: string;
}

/**
 * Whether pod `name` (uid `uid`) is, as of entry `until`, Pending with a claim pinned to a
 * node a node fault took down (a node-down marker with no node-up for that node after it).
 * The scheduler cannot place it anywhere else, so it waits for the node: expected for
 * node-local storage, a finding about the storage, not a harness error.
 */
export function pinnedToDownNode(timeline: readonly TimelineEntry[], name: string, uid: string, until: number): PinnedToDownNode | undefined {
  const entries = inOrder(timeline).slice(0, until);
  const last = entries.filter((e) => isPodEntry(e) && e.name === name && e.pod.uid === uid).at(-1);
  if (!last || !isPodEntry(last) || last.type === 'DELETED' || last.pod.phase !== 'Pending') return undefined;
  const volumes = volumeBehaviour(entries);
  const down = new Set<string>();
  for (const e of entries) {
    if (e.type !== 'MARKER') continue;
    if (e.marker === 'node-down') down.add(e.node);
    if (e.marker === 'node-up') down.delete(e.node);
  }
  for (const claim of Object.values(last.pod.claims).sort()) {
    const node = volumes?.pinned[claim];
    if (node && down.has(node)) return { claim, node };
  }
  return undefined;
}
