// A kill as the checks judge it: its marker and the expectation that applies to it. The
// kill marker states the disruption's expectation; a `kill-refused` marker for the same
// round, pod and UID turns it into `refused` (the API said no, so the pod must stay).
import type { Expectation } from '../model.ts';
import { isPodEntry, markersOf, podGenerations } from './queries.ts';
import type { MarkerOf, TimelineEntry } from './entries.ts';

export interface KillRecord {
  /** Index of the kill marker in `entries`. */
  index: number;
  marker: MarkerOf<'kill'>;
  expect: Expectation;
  /** The refusal, when the API refused the kill. */
  refused?: MarkerOf<'kill-refused'>;
}

/** Every kill marker in `entries` (timeline order, as from inOrder) with its resolved expectation. */
export function killsIn(entries: readonly TimelineEntry[]): KillRecord[] {
  const refusals = markersOf(entries, 'kill-refused');
  return markersOf(entries, 'kill').map(({ index, marker }) => {
    const refused = refusals.find(
      (r) => r.index > index && r.marker.round === marker.round && r.marker.pod === marker.pod && r.marker.uid === marker.uid,
    )?.marker;
    // Older recordings have no expectation: every kill then was an API deletion.
    const expect: Expectation = refused ? 'refused' : (marker.expect ?? 'replaced');
    return { index, marker, expect, ...(refused ? { refused } : {}) };
  });
}

/** Expectations under which the killed UID is meant to end (the pod is replaced). */
export const endsThePod = (e: Expectation): boolean => e === 'replaced' || e === 'blocked';

/**
 * A pod the node took away: the taint-eviction controller (kubernetes/kubernetes
 * pkg/controller/tainteviction/taint_eviction.go) deletes a pod whose toleration of a
 * NoExecute taint ran out. The node controller sets those taints (unreachable, not-ready)
 * on a node that stopped reporting: after a node fault, or on every node whose lease went
 * stale during an API outage. The deletion is the node's doing, like a kill, never the
 * StatefulSet controller's, so the checks must neither judge it as the controller's act
 * nor count the pod as "replaced without a kill".
 */
export interface TaintEviction {
  pod: string;
  uid: string;
  /** The node the pod ran on. */
  node?: string;
  /** The generation's first terminating entry (its DELETED, if it left at once). */
  index: number;
  t: number;
  /** What showed it: the pod's DisruptionTarget condition (exact, per UID) or the controller's Event (by name and time). */
  via: 'condition' | 'event';
}

/** `addConditionAndDeletePod` marks the pod with this DisruptionTarget reason before it deletes it. */
export const TAINT_DELETION_CONDITION = 'DeletionByTaintManager';
/** `emitPodDeletionEvent`: reason TaintManagerEviction, message "Marking for deletion Pod <ns>/<name>" (a cancel says "Cancelling deletion"). */
export const TAINT_EVICTION_EVENT = 'TaintManagerEviction';
/**
 * The Event goes out just before the delete call, but Events reach the watch through the
 * controller's batching broadcaster and carry no pod UID: one counts for the pod's latest
 * generation when it arrived, if that one's termination came within this long of it.
 */
const EVENT_SLACK_MS = 10_000;

const evictionCache = new WeakMap<readonly TimelineEntry[], TaintEviction[]>();

/** Every pod generation in `entries` (timeline order) that ended by taint eviction. */
export function taintEvictionsIn(entries: readonly TimelineEntry[]): TaintEviction[] {
  const cached = evictionCache.get(entries);
  if (cached) return cached;
  const generations = podGenerations(entries);
  // An Event belongs to the generation of its pod that was the latest one seen when it arrived.
  const byEvent = new Set<string>();
  entries.forEach((e, index) => {
    if (
      e.type === 'MARKER' ||
      e.kind !== 'Event' ||
      e.event?.reason !== TAINT_EVICTION_EVENT ||
      !e.event.message.startsWith('Marking for deletion')
    )
      return;
    const name = e.event.involved.replace(/^Pod\//, '');
    const g = (generations.get(name) ?? []).findLast((x) => x.first.index < index);
    if (g?.terminating && Math.abs(e.t - g.terminating.t) <= EVENT_SLACK_MS) byEvent.add(g.uid);
  });
  const out: TaintEviction[] = [];
  for (const [name, gens] of generations) {
    for (const g of gens) {
      const end = g.terminating;
      if (!end) continue;
      const own = entries.slice(g.first.index, end.index + 1).filter((e) => isPodEntry(e) && e.pod.uid === g.uid);
      const byCondition = own.some((e) => isPodEntry(e) && e.pod.disruptionTarget === TAINT_DELETION_CONDITION);
      if (!byCondition && !byEvent.has(g.uid)) continue;
      const node = own.findLast((e) => isPodEntry(e) && e.pod.node !== undefined);
      out.push({
        pod: name,
        uid: g.uid,
        index: end.index,
        t: end.t,
        via: byCondition ? 'condition' : 'event',
        ...(node && isPodEntry(node) && node.pod.node ? { node: node.pod.node } : {}),
      });
    }
  }
  out.sort((a, b) => a.index - b.index);
  evictionCache.set(entries, out);
  return out;
}

/** The taint eviction that ended pod generation `uid`, if one did. */
export function taintEvictionOf(entries: readonly TimelineEntry[], uid: string): TaintEviction | undefined {
  return taintEvictionsIn(entries).find((e) => e.uid === uid);
}

/** Evidence wording, one place: "deleted by taint eviction on node X at t=…ms". */
export function describeTaintEviction(e: TaintEviction): string {
  const seen = e.via === 'condition' ? `DisruptionTarget ${TAINT_DELETION_CONDITION}` : `${TAINT_EVICTION_EVENT} Event`;
  return `deleted by taint eviction on node ${e.node ?? '(unknown)'} at t=${e.t}ms (${seen}: its NoExecute toleration ran out; the node's doing, not the StatefulSet controller's)`;
}
