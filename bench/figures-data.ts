// Figures over many runs of one workload: per disruption kind, kill → Ready, how long
// pods refused writes, what happened to the writes sent to a disrupted pod, and how long
// after Ready the first write was acknowledged again. Pure: merges the per-run raw numbers
// of bench/figures-run.ts, so the aggregate can be recomputed from what bench/results/ keeps.
import { nearestRank } from '../lib/percentile.ts';
import { type FaultRaw, mergeFaultRaw } from './figures-faults.ts';
import { type KindRaw, OUTSIDE, type RunData, type RunFigures, runFigures, UNDISRUPTED, type WriteCounts } from './figures-run.ts';

export { failureCause, OUTSIDE, readySpans, type RunData, type RunFigures, UNDISRUPTED } from './figures-run.ts';

/** A distribution by nearest rank (values actually observed), ms unless named otherwise. */
export interface Dist {
  n: number;
  min?: number;
  p50?: number;
  p95?: number;
  max?: number;
}

export function dist(values: readonly number[], decimals = 0): Dist {
  if (values.length === 0) return { n: 0 };
  const f = 10 ** decimals;
  const r = (v: number | undefined): number | undefined => (v === undefined ? undefined : Math.round(v * f) / f);
  return {
    n: values.length,
    min: r(Math.min(...values)),
    p50: r(nearestRank(values, 50)),
    p95: r(nearestRank(values, 95)),
    max: r(Math.max(...values)),
  };
}

export interface KindFigures {
  disruption: string;
  /** Disruptions applied (refused ones counted apart). */
  killed: number;
  refused: number;
  recovered: number;
  /** Kill → Ready (Ready again, after a restart in place). */
  readyMs: Dist;
  /** Each interval a pod disrupted this way acknowledged no write (results.json intervals). */
  unavailableMs: Dist;
  /** Intervals still open when traffic stopped (their length is a lower bound). */
  openIntervals: number;
  /**
   * Of each unavailable interval, the time the API showed the pod Ready (timeline.json):
   * unavailability the pod's own state does not explain (DNS, endpoints, the client).
   */
  unavailableWhileReadyMs: Dist;
  /** The pod's Ready moment → the first write to it acknowledged after it (timeline.json). */
  readyToAckMs: Dist;
  /** Failed writes sent to the pod between its Ready moment and that first acknowledgement, by cause. */
  failuresAfterReady: Record<string, number>;
  /** Writes sent to the pod during the rounds it was disrupted this way (timeline.json). */
  writes?: WriteCounts;
  /** Acknowledged writes per second to one such pod over those rounds. */
  ackedPerPodSecond?: number;
}

export interface WorkloadFigures {
  workload: string;
  runs: number;
  verdicts: { passed: number; failed: number; error: number };
  seeds: number[];
  kinds: KindFigures[];
  /** A round with a node-fault, round-start to round-end. */
  nodeFaultRoundMs: Dist;
  /** Per run: acknowledged writes per second over the whole traffic window. */
  ackedPerSecond: Dist;
  offeredPerSecond?: number;
  writes: WriteCounts;
  /** Per fault kind the node agent held (bench/figures-faults.ts); absent when no run held one. */
  faults?: FaultFigures[];
}

export interface FaultFigures {
  fault: string;
  confirmed: number;
  healed: number;
  confirmMs: Dist;
  healConfirmMs: Dist;
  /** Per fault held while traffic ran, the longest time any pod acknowledged no write inside it. */
  longestUnavailableMs: Dist;
  leaderCutOff: number;
  leaderMoved: number;
  electionMs: Dist;
  electionResolutionMs: Dist;
  noElection: number;
}

const addWrites = (a: WriteCounts | undefined, b: WriteCounts): WriteCounts => ({
  sent: (a?.sent ?? 0) + b.sent,
  acked: (a?.acked ?? 0) + b.acked,
  lost: (a?.lost ?? 0) + b.lost,
  indeterminate: (a?.indeterminate ?? 0) + b.indeterminate,
  failed: (a?.failed ?? 0) + b.failed,
});

function mergeKind(into: KindRaw | undefined, k: KindRaw): KindRaw {
  const failures = { ...(into?.failures ?? {}) };
  for (const [cause, n] of Object.entries(k.failures)) failures[cause] = (failures[cause] ?? 0) + n;
  const writes = k.writes ? addWrites(into?.writes, k.writes) : into?.writes;
  return {
    killed: (into?.killed ?? 0) + k.killed,
    refused: (into?.refused ?? 0) + k.refused,
    recovered: (into?.recovered ?? 0) + k.recovered,
    ready: [...(into?.ready ?? []), ...k.ready],
    unavailable: [...(into?.unavailable ?? []), ...k.unavailable],
    open: (into?.open ?? 0) + k.open,
    readyToAck: [...(into?.readyToAck ?? []), ...k.readyToAck],
    whileReady: [...(into?.whileReady ?? []), ...k.whileReady],
    failures,
    ...(writes ? { writes } : {}),
    podMs: (into?.podMs ?? 0) + k.podMs,
  };
}

/** Disruptions by name, then pods not disrupted that round, then writes outside every round. */
const rank = (kind: string): number => (kind === OUTSIDE ? 2 : kind === UNDISRUPTED ? 1 : 0);

/** The figures over runs already reduced by runFigures (e.g. read back from bench/results/). */
export function merge(workload: string, runs: readonly RunFigures[]): WorkloadFigures {
  const acc = new Map<string, KindRaw>();
  const verdicts = { passed: 0, failed: 0, error: 0 };
  let writes: WriteCounts = { sent: 0, acked: 0, lost: 0, indeterminate: 0, failed: 0 };
  let offered: number | undefined;
  const faults = new Map<string, FaultRaw>();
  for (const r of runs) {
    for (const [kind, k] of Object.entries(r.faults ?? {})) faults.set(kind, mergeFaultRaw(faults.get(kind), k));
    verdicts[r.verdict]++;
    for (const [kind, k] of Object.entries(r.kinds)) acc.set(kind, mergeKind(acc.get(kind), k));
    writes = addWrites(writes, r.writes);
    offered ??= r.offeredPerSecond;
  }
  const kinds = [...acc].map(
    ([disruption, a]): KindFigures => ({
      disruption,
      killed: a.killed,
      refused: a.refused,
      recovered: a.recovered,
      readyMs: dist(a.ready),
      unavailableMs: dist(a.unavailable),
      openIntervals: a.open,
      unavailableWhileReadyMs: dist(a.whileReady),
      readyToAckMs: dist(a.readyToAck),
      failuresAfterReady: a.failures,
      ...(a.writes ? { writes: a.writes } : {}),
      ...(a.writes && a.podMs > 0 ? { ackedPerPodSecond: Math.round((a.writes.acked / a.podMs) * 10_000) / 10 } : {}),
    }),
  );
  const out: WorkloadFigures = {
    workload,
    runs: runs.length,
    verdicts,
    seeds: runs.map((r) => r.seed),
    kinds: kinds.sort((x, y) => rank(x.disruption) - rank(y.disruption) || x.disruption.localeCompare(y.disruption)),
    nodeFaultRoundMs: dist(runs.flatMap((r) => r.nodeFaultRoundMs)),
    ackedPerSecond: dist(
      runs.flatMap((r) => (r.ackedPerSecond === undefined ? [] : [r.ackedPerSecond])),
      1,
    ),
    writes,
  };
  if (offered !== undefined) out.offeredPerSecond = offered;
  if (faults.size > 0)
    out.faults = [...faults]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([fault, k]) => ({
        fault,
        confirmed: k.confirmed,
        healed: k.healed,
        confirmMs: dist(k.confirmMs),
        healConfirmMs: dist(k.healConfirmMs),
        longestUnavailableMs: dist(k.longestUnavailableMs),
        leaderCutOff: k.leaderCutOff,
        leaderMoved: k.leaderMoved,
        electionMs: dist(k.electionMs),
        electionResolutionMs: dist(k.electionResolutionMs),
        noElection: k.noElection,
      }));
  return out;
}

/** The figures over whole runs (results.json, and timeline.json where there is one). */
export const aggregate = (workload: string, runs: readonly RunData[]): WorkloadFigures => merge(workload, runs.map(runFigures));
