// The offset between the cluster's clock and the harness's, estimated from the timeline
// alone. Availability (minReadySeconds) is judged on the cluster's clock: the kubelet
// stamps a pod's Ready lastTransitionTime, the controller compares it with its own
// clock, while the timeline's entries carry the harness's wall clock at arrival.
//
// Every cluster stamp bounds the offset (cluster − harness), NTP-style, with the stamps'
// truncation to whole seconds allowed for (the true time lies in [S, S + 1 s)):
//   - a stamp S seen in an entry that arrived at harness time h happened before h:
//     offset ≥ S − h (every pod's creationTimestamp and each new Ready time);
//   - a stamp of an event the harness caused after its own marker at harness time k
//     happened after k: offset < S + 1 s − k (the creation and first Ready time of every
//     pod first seen after the `deploy` marker, and of a killed pod's successor after its
//     `kill` / `operator-delete` marker).
// The creationTimestamp is the API server's clock and Ready the kubelet's: one interval
// assumes they agree (one machine here); samples that contradict each other widen it.
import type { TimelineEntry } from './entries.ts';

export interface ClusterClock {
  /** Bounds on cluster − harness, ms; ±Infinity when no sample bounds that side. */
  lo: number;
  hi: number;
  samples: number;
}

const SECOND = 1000;
const memo = new WeakMap<readonly TimelineEntry[], ClusterClock>();

const stamp = (iso: string | undefined): number | undefined => {
  const ms = iso ? Date.parse(iso) : Number.NaN;
  return Number.isFinite(ms) ? ms : undefined;
};

/** `entries` in arrival order. */
export function clusterClock(entries: readonly TimelineEntry[]): ClusterClock {
  const known = memo.get(entries);
  if (known) return known;
  let lo = Number.NEGATIVE_INFINITY;
  let hi = Number.POSITIVE_INFINITY;
  let samples = 0;
  /** uid -> harness wall of the marker after which the pod is known to have been created. */
  const causedAfter = new Map<string, number>();
  const seen = new Set<string>();
  const lastReady = new Map<string, string>();
  let deployWall: number | undefined;
  /** pod name -> [the killed UID, marker wall]: its next UID was created after the marker. */
  const killed = new Map<string, [string, number]>();
  for (const e of entries) {
    if (e.type === 'MARKER') {
      if (e.marker === 'deploy') deployWall = e.wall;
      if (e.marker === 'kill' || e.marker === 'operator-delete') killed.set(e.pod, [e.uid, e.wall]);
      continue;
    }
    if (e.kind !== 'Pod' || !e.pod) continue;
    const { uid, created, readySince } = e.pod;
    if (!seen.has(uid)) {
      seen.add(uid);
      const kill = killed.get(e.name);
      const after = kill && kill[0] !== uid ? kill[1] : deployWall;
      if (after !== undefined) causedAfter.set(uid, after);
      const c = stamp(created);
      if (c !== undefined) {
        ({ lo, hi } = bound(lo, hi, c, e.wall, after));
        samples++;
      }
    }
    const r = stamp(readySince);
    if (r !== undefined && readySince !== lastReady.get(uid)) {
      lastReady.set(uid, readySince ?? '');
      ({ lo, hi } = bound(lo, hi, r, e.wall, causedAfter.get(uid)));
      samples++;
    }
  }
  const out = lo <= hi ? { lo, hi, samples } : { lo: hi, hi: lo, samples };
  memo.set(entries, out);
  return out;
}

function bound(lo: number, hi: number, s: number, arrived: number, causedAfter: number | undefined): { lo: number; hi: number } {
  return { lo: Math.max(lo, s - arrived), hi: causedAfter === undefined ? hi : Math.min(hi, s + SECOND - causedAfter) };
}

/**
 * The offset availability is judged with: the upper bound, so that a pod is never judged
 * unavailable when the controller could have seen it Available; 0 when nothing bounds it
 * from above (the harness's clock, as before, but the lower bound still applies).
 */
export function judgingOffset(c: ClusterClock): number {
  if (Number.isFinite(c.hi)) return c.hi;
  return Number.isFinite(c.lo) ? Math.max(c.lo, 0) : 0;
}

/** For evidence: "cluster clock = harness +120 ms (bounds −380..+620 ms from 14 stamps; judged at +620 ms)". */
export function describeClusterClock(c: ClusterClock): string {
  const ms = (v: number): string => (Number.isFinite(v) ? `${v >= 0 ? '+' : '−'}${Math.abs(Math.round(v))}` : v > 0 ? '+∞' : '−∞');
  const mid =
    Number.isFinite(c.lo) && Number.isFinite(c.hi)
      ? `${ms((c.lo + c.hi) / 2)} ± ${Math.round((c.hi - c.lo) / 2)} ms`
      : 'not bounded on both sides';
  return `cluster clock − harness clock: ${mid} (bounds ${ms(c.lo)}..${ms(c.hi)} ms from ${c.samples} cluster stamps; availability judged at ${ms(judgingOffset(c))} ms)`;
}
