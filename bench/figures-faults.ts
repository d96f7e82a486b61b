// Figures per fault kind (partition, loss, bandwidth, disk-full): how long the node
// agent's faults took to confirm and to heal, the longest time a pod acknowledged no
// write while one was held, and on etcd the election after a partition cut the leader
// off. Raw numbers per run from results.json (`faults`, traffic intervals), merged over
// runs like the rest of bench/figures-data.ts.
import { longestInside } from '../lib/traffic/fault-availability.ts';
import type { RunResult } from '../lib/run/results-schema.ts';

/** One run's raw numbers for one fault kind (whole ms). */
export interface FaultRaw {
  /** Faults confirmed applied (a `faults` record), and of them confirmed healed. */
  confirmed: number;
  healed: number;
  confirmMs: number[];
  healConfirmMs: number[];
  /** Per fault held while traffic ran: the longest part of any pod's unavailable interval inside its window (confirmed → healed). */
  longestUnavailableMs: number[];
  /** Partitions of etcd whose shape left the leader without a majority; of them, the leadership moved there first. */
  leaderCutOff: number;
  leaderMoved: number;
  /** Cut → the first answer naming a new leader, and the width of that answer's window. */
  electionMs: number[];
  electionResolutionMs: number[];
  /** Leaders cut off for which no new leader was named before the heal (each with its note in the run's results). */
  noElection: number;
}

const newRaw = (): FaultRaw => ({
  confirmed: 0,
  healed: 0,
  confirmMs: [],
  healConfirmMs: [],
  longestUnavailableMs: [],
  leaderCutOff: 0,
  leaderMoved: 0,
  electionMs: [],
  electionResolutionMs: [],
  noElection: 0,
});

/** The run's faults by kind; undefined when it held none (older runs, other disruptions). */
export function faultRaw(results: RunResult): Record<string, FaultRaw> | undefined {
  if (!results.faults?.length) return undefined;
  const out: Record<string, FaultRaw> = {};
  const t = results.traffic;
  const intervals = t?.availability.intervals ?? [];
  const stopped = t?.stoppedMs;
  for (const f of results.faults) {
    out[f.kind] ??= newRaw();
    const k = out[f.kind] as FaultRaw;
    k.confirmed++;
    k.confirmMs.push(Math.round(f.confirmMs));
    if (f.healConfirmMs !== undefined) {
      k.healed++;
      k.healConfirmMs.push(Math.round(f.healConfirmMs));
    }
    // As traffic.availability.byFault counts it: windows traffic did not overlap measured nothing.
    if (t && stopped !== undefined) {
      const from = f.confirmedAtMs;
      const to = f.healedAtMs ?? stopped;
      if (to > (t.startedMs ?? 0) && from < stopped && to > from)
        k.longestUnavailableMs.push(Math.round(longestInside(intervals, from, to)));
    }
    const leader = 'leader' in f ? f.leader : undefined;
    if (!leader?.cutOff) continue;
    k.leaderCutOff++;
    if (leader.moved) k.leaderMoved++;
    if (leader.electedMs === undefined) k.noElection++;
    else {
      k.electionMs.push(leader.electedMs);
      k.electionResolutionMs.push(leader.resolutionMs ?? leader.electedMs);
    }
  }
  return out;
}

export function mergeFaultRaw(into: FaultRaw | undefined, k: FaultRaw): FaultRaw {
  const a = into ?? newRaw();
  return {
    confirmed: a.confirmed + k.confirmed,
    healed: a.healed + k.healed,
    confirmMs: [...a.confirmMs, ...k.confirmMs],
    healConfirmMs: [...a.healConfirmMs, ...k.healConfirmMs],
    longestUnavailableMs: [...a.longestUnavailableMs, ...k.longestUnavailableMs],
    leaderCutOff: a.leaderCutOff + k.leaderCutOff,
    leaderMoved: a.leaderMoved + k.leaderMoved,
    electionMs: [...a.electionMs, ...k.electionMs],
    electionResolutionMs: [...a.electionResolutionMs, ...k.electionResolutionMs],
    noElection: a.noElection + k.noElection,
  };
}
