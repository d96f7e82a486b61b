// Availability per fault kind (results.json traffic.availability.byFault): how the
// workload answered while the node agent held faults of each kind. A fault's window is
// its confirmed hold up to its confirmed heal; traffic outside every window does not
// count. Pure: the writes and the faults in, the figures out.
import { faultPods, type FaultSpan } from '../model.ts';
import { nearestRank } from '../percentile.ts';
import type { FaultAvailability, PodAvailability, UnavailableInterval, WriteRecord } from './records.ts';

interface Window {
  from: number;
  to: number;
  pods: string[];
}

function ratio(ws: readonly WriteRecord[]): Omit<PodAvailability, 'pod'> {
  const acked = ws.filter((w) => w.outcome === 'acked').length;
  return { sent: ws.length, acked, ...(ws.length > 0 ? { fraction: acked / ws.length } : {}) };
}

/** The longest part of any interval inside [from, to). */
export function longestInside(intervals: readonly UnavailableInterval[], from: number, to: number): number {
  let best = 0;
  for (const u of intervals) best = Math.max(best, Math.min(u.toMs, to) - Math.max(u.fromMs, from));
  return best;
}

/**
 * One entry per fault kind, in order of first appearance. `stoppedMs`: when traffic
 * stopped (a window with no confirmed heal runs to it). Windows that traffic did not
 * overlap are not counted: there was nothing to measure in them.
 */
export function availabilityByFault(
  writes: readonly WriteRecord[],
  intervals: readonly UnavailableInterval[],
  faults: readonly FaultSpan[],
  startedMs: number,
  stoppedMs: number,
): FaultAvailability[] {
  const byKind = new Map<string, Window[]>();
  for (const f of faults) {
    const w = { from: f.confirmedAtMs, to: f.healedAtMs ?? stoppedMs, pods: faultPods(f) };
    if (w.to <= startedMs || w.from >= stoppedMs || w.to <= w.from) continue;
    byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), w]);
  }
  return [...byKind].map(([kind, windows]) => {
    const inAny = (w: WriteRecord, only?: (w: WriteRecord, win: Window) => boolean): boolean =>
      windows.some((win) => w.sentMs >= win.from && w.sentMs < win.to && (!only || only(w, win)));
    const longest = windows.map((win) => longestInside(intervals, win.from, win.to));
    const max = nearestRank(longest, 100);
    const p50 = nearestRank(longest, 50);
    const p95 = nearestRank(longest, 95);
    return {
      kind,
      faults: windows.length,
      all: ratio(writes.filter((w) => inAny(w))),
      targets: ratio(writes.filter((w) => inAny(w, (x, win) => win.pods.includes(x.pod)))),
      longestUnavailableMs: {
        ...(p50 !== undefined ? { p50 } : {}),
        ...(p95 !== undefined ? { p95 } : {}),
        ...(max !== undefined ? { max } : {}),
      },
    };
  });
}
