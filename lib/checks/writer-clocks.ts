// How STS-AT-MOST-ONE puts two heartbeat writers on one time axis, and how sure it can be.
// Writers on one kernel (one boot id) share /proc/uptime: monotonic, 10 ms resolution, no
// offset to estimate. Writers on different kernels are compared by wall clock, each
// corrected by its kernel's offset against the harness as measured through a pod on it
// (lib/probes/clock.ts, both snapshots); the pair's uncertainty is the sum of the two
// measurements' and of the clocks' resolution. A kernel never measured cannot be placed.
import type { ClockReading, HeartbeatWriter } from '../probes/records.ts';

/** /proc/uptime prints hundredths of a second. */
export const UPTIME_RESOLUTION_MS = 10;

/** One writer's beats on a kernel, on that kernel's clocks. */
export interface Span {
  uid: string;
  bootId: string;
  first: number;
  last: number;
  firstWall?: number;
  lastWall?: number;
  coarseWall: boolean;
  beats: number;
}

export interface KernelClock {
  bootId: string;
  node: string;
  offsetMs: number;
  uncertaintyMs: number;
}

/** Pair placed on one axis: a and b in that order, their overlap (negative: the gap) and how sure it is. */
export interface Placed {
  a: Span;
  b: Span;
  overlapMs: number;
  uncertaintyMs: number;
  clock: string;
}

/** One span per pod UID and kernel (a container restart in place extends the UID's span). */
export function spansOf(writers: readonly HeartbeatWriter[]): Span[] {
  const spans = new Map<string, Span>();
  for (const w of writers) {
    const key = `${w.uid} ${w.bootId}`;
    const s = spans.get(key);
    const wall = w.firstWallMs !== undefined && w.lastWallMs !== undefined ? { firstWall: w.firstWallMs, lastWall: w.lastWallMs } : {};
    if (!s) {
      spans.set(key, {
        uid: w.uid,
        bootId: w.bootId,
        first: w.firstUptimeMs,
        last: w.lastUptimeMs,
        beats: w.beats,
        coarseWall: w.coarseWall === true,
        ...wall,
      });
      continue;
    }
    s.first = Math.min(s.first, w.firstUptimeMs);
    s.last = Math.max(s.last, w.lastUptimeMs);
    s.beats += w.beats;
    s.coarseWall ||= w.coarseWall === true;
    if (s.firstWall === undefined || w.firstWallMs === undefined) delete s.firstWall;
    else s.firstWall = Math.min(s.firstWall, w.firstWallMs);
    if (s.lastWall === undefined || w.lastWallMs === undefined) delete s.lastWall;
    else s.lastWall = Math.max(s.lastWall, w.lastWallMs);
  }
  return [...spans.values()];
}

/**
 * Each kernel's offset from its most precise reading; readings of one kernel that
 * disagree (drift between the snapshots) widen the uncertainty by their spread.
 */
export function kernelClocks(readings: readonly ClockReading[]): Map<string, KernelClock> {
  const out = new Map<string, KernelClock>();
  const byBoot = Map.groupBy(readings, (r) => r.bootId);
  for (const [bootId, rs] of byBoot) {
    const best = rs.reduce((x, y) => (y.uncertaintyMs < x.uncertaintyMs ? y : x));
    const offsets = rs.map((r) => r.offsetMs);
    const spread = Math.max(...offsets) - Math.min(...offsets);
    out.set(bootId, { bootId, node: best.node, offsetMs: best.offsetMs, uncertaintyMs: best.uncertaintyMs + spread });
  }
  return out;
}

const signed = (ms: number): string => `${ms >= 0 ? '+' : '−'}${Math.abs(ms)}`;

export function describeKernel(k: KernelClock): string {
  return `node ${k.node || '?'} (boot ${k.bootId.slice(0, 8)}) ${signed(k.offsetMs)} ± ${k.uncertaintyMs} ms`;
}

/** Places two spans on one axis, or says why they cannot be. */
export function place(x: Span, y: Span, kernels: ReadonlyMap<string, KernelClock>): Placed | { error: string } {
  if (x.bootId === y.bootId) {
    const [a, b] = x.first <= y.first ? [x, y] : [y, x];
    return {
      a,
      b,
      overlapMs: Math.min(a.last, b.last) - b.first,
      uncertaintyMs: UPTIME_RESOLUTION_MS,
      clock: `one kernel, monotonic uptime, ± ${UPTIME_RESOLUTION_MS} ms`,
    };
  }
  const kx = kernels.get(x.bootId);
  const ky = kernels.get(y.bootId);
  const missing = [
    [x, kx],
    [y, ky],
  ]
    .filter(([, k]) => !k)
    .map(([s]) => (s as Span).bootId);
  if (missing.length > 0)
    return {
      error: `writers on different kernels, and the clock of ${missing.map((b) => `boot ${b}`).join(', ')} was never measured against the harness (no pod ran there at a snapshot): their heartbeats cannot be ordered`,
    };
  if (!kx || !ky || x.firstWall === undefined || x.lastWall === undefined || y.firstWall === undefined || y.lastWall === undefined) {
    return { error: 'writers on different kernels without wall-clock times: their heartbeats cannot be ordered' };
  }
  // On the harness's clock: kernel time − the kernel's offset.
  const fx = x.firstWall - kx.offsetMs;
  const fy = y.firstWall - ky.offsetMs;
  const lx = x.lastWall - kx.offsetMs;
  const ly = y.lastWall - ky.offsetMs;
  const [a, b, fb] = fx <= fy ? [x, y, fy] : [y, x, fx];
  const resolution = (x.coarseWall ? 1000 : 1) + (y.coarseWall ? 1000 : 1);
  return {
    a,
    b,
    overlapMs: Math.round(Math.min(lx, ly) - fb),
    uncertaintyMs: kx.uncertaintyMs + ky.uncertaintyMs + resolution,
    clock: `wall clocks against the harness: ${describeKernel(kx)}, ${describeKernel(ky)}; ± ${kx.uncertaintyMs + ky.uncertaintyMs + resolution} ms`,
  };
}
