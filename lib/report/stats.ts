// Numbers every report shows the same way, so junit, html and the GitHub summary agree.
import type { CheckResult, CheckStatus } from '../checks/api.ts';
import type { PodRecovery, RoundResult } from '../model.ts';
import type { DisruptionRecovery, RunResult } from '../run/results-schema.ts';
import { nearestRank } from '../percentile.ts';

export interface ReadyStats {
  /** Pods killed in the round(s); a kill the API refused is not counted. */
  killed: number;
  /** Of those, how many were seen Ready again. */
  recovered: number;
  /** ms from kill to Ready, over recovered pods with a Ready time only. */
  p50?: number;
  p95?: number;
  max?: number;
}

export function readyStats(recoveries: readonly PodRecovery[]): ReadyStats {
  const done = recoveries.filter((r) => r.expect !== 'refused');
  const ready = done.filter((r) => r.recovered && typeof r.readyMs === 'number').map((r) => r.readyMs as number);
  // An `unaffected` pod (kubelet-restart) recovers without a Ready time: nothing happened to it.
  const stats: ReadyStats = { killed: done.length, recovered: done.filter((r) => r.recovered).length };
  if (ready.length > 0) {
    stats.p50 = nearestRank(ready, 50);
    stats.p95 = nearestRank(ready, 95);
    stats.max = Math.max(...ready);
  }
  return stats;
}

/**
 * Kill → Ready per disruption kind over all rounds, kinds in first-seen order. For a
 * pod restarted in place, Ready means Ready again after the restart.
 */
export function recoveryByDisruption(rounds: readonly RoundResult[]): DisruptionRecovery[] {
  const byKind = Map.groupBy(
    rounds.flatMap((x) => x.recoveries),
    (r) => r.action,
  );
  return [...byKind].map(([action, list]) => {
    const s = readyStats(list);
    const out: DisruptionRecovery = {
      disruption: action,
      killed: s.killed,
      recovered: s.recovered,
      refused: list.length - s.killed,
    };
    if (s.p50 !== undefined) out.p50Ms = s.p50;
    if (s.p95 !== undefined) out.p95Ms = s.p95;
    if (s.max !== undefined) out.maxMs = s.max;
    return out;
  });
}

/** A replacement on another node than the killed pod (both nodes recorded). */
export const movedNode = (r: PodRecovery): boolean => !!r.fromNode && !!r.toNode && r.fromNode !== r.toNode;

/** Over the replaced pods whose both nodes were recorded: how many landed on another node. */
export function nodeMoves(rounds: readonly RoundResult[]): { moved: number; known: number } {
  const known = rounds
    .flatMap((r) => r.recoveries)
    .filter((r) => r.fromNode && r.toNode && (r.expect ?? 'replaced') !== 'restarted-in-place' && r.recreatedMs !== undefined);
  return { moved: known.filter(movedNode).length, known: known.length };
}

export type StatusCounts = Record<CheckStatus, number> & { total: number };

/** Counted from the checks themselves, so a report can never disagree with its own rows. */
export function countStatuses(checks: readonly CheckResult[]): StatusCounts {
  const counts: StatusCounts = { passed: 0, failed: 0, error: 0, skipped: 0, total: checks.length };
  for (const c of checks) counts[c.status] += 1;
  return counts;
}

/**
 * Why the run as a whole is not trustworthy, if it is not: the harness error, or a run
 * that judged nothing (an empty report must not read as green).
 */
export function runProblem(result: RunResult): { message: string; detail?: string } | undefined {
  if (result.error) return result.error;
  if (result.checks.length === 0) return { message: 'the run produced no check results' };
  return undefined;
}

export type Verdict = 'PASSED' | 'FAILED' | 'ERROR';

/** A broken guarantee outranks a harness error: it is a finding about the cluster. */
export function verdictOf(result: RunResult): Verdict {
  const counts = countStatuses(result.checks);
  if (counts.failed > 0) return 'FAILED';
  if (counts.error > 0 || runProblem(result)) return 'ERROR';
  return 'PASSED';
}

/** The process exit code for a run: 1 only for a broken guarantee, 2 when anything could not be judged. */
export function exitCodeOf(result: RunResult): 0 | 1 | 2 {
  const v = verdictOf(result);
  return v === 'FAILED' ? 1 : v === 'ERROR' ? 2 : 0;
}

const REPORT_ORDER: Record<CheckStatus, number> = { failed: 0, error: 1, passed: 2, skipped: 3 };

/** Failed, then errored, then passed, then skipped; the run's order is kept within each. */
export function reportOrder(checks: readonly CheckResult[]): CheckResult[] {
  return checks
    .map((check, index) => ({ check, index }))
    .sort((a, b) => REPORT_ORDER[a.check.status] - REPORT_ORDER[b.check.status] || a.index - b.index)
    .map((x) => x.check);
}
