// bench:postgres's figures: one run of the postgres sample under bank traffic, with the
// primary deleted every round, reduced to what CloudNativePG's chaos test is read for
// (transactions per second, how long the database took no commit after each primary
// loss, replica lag, anomalies), and the runs merged. Pure: results.json, the history and
// its clock in, numbers out (bench/postgres.ts does the I/O).
import { checkBank } from '../lib/checkers/bank.ts';
import type { HistoryEvent } from '../lib/history/events.ts';
import { planRounds } from '../lib/chaos/plan.ts';
import { nearestRank } from '../lib/percentile.ts';
import type { RunResult } from '../lib/run/results-schema.ts';
import { type RunFigures, verdictOf, type Verdict } from './figures-run.ts';

/** Per-run numbers, whole ms; bench/results/<date>/<name>/runs/<run-id>.json. */
export interface PgRunFigures extends Pick<RunFigures, 'runId' | 'seed' | 'startedAt' | 'finishedAt' | 'verdict' | 'problems'> {
  rounds: number;
  /** First round's start to the last round's end. */
  chaosMs: number;
  primaryKills: number;
  /** Transfers that committed, failed (definitely not committed) and of unknown outcome, invoked within the chaos window. */
  transfers: { ok: number; failed: number; unknown: number };
  /** Reads of all balances that answered, within the chaos window, by pod. */
  reads: Record<string, number>;
  /** Per primary deletion: the longest time without a committed transfer between the deletion and the round's end. */
  unavailableMs: number[];
  /** Per primary deletion: delete sent → the new db-0 Ready. */
  primaryReadyMs: number[];
  /** results.json replication, every probe's values (not percentiles, so runs merge exactly). */
  catchUpMs: number[];
  replayLagMs: number[];
  reconnectMs: number[];
  /** Reads that broke the bank invariant (STS-BANK-INVARIANT's anomalies), and that check's status. */
  bankAnomalies: number;
  bankCheck: string;
}

/** The first seed from `from` on whose plan deletes db-0, and only db-0, in each of `rounds` rounds (3 replicas, --chaos delete). */
export function primaryOnlySeed(from: number, rounds: number, replicas = 3, limit = 50_000_000): number {
  for (let seed = from; seed < from + limit; seed++) {
    const plan = planRounds({ seed, statefulSet: 'db', replicas, rounds, actions: ['delete'] });
    if (plan.every((r) => r.kills.length === 1 && r.kills[0]?.ordinal === 0)) return seed;
  }
  throw new Error(`no seed in ${from}…${from + limit - 1} deletes only db-0 in each of ${rounds} rounds`);
}

/**
 * The longest stretch without a commit inside [from, to) (the deletion to the round's
 * end), between consecutive commit times (sorted, run ms), clipped to the window: a
 * stretch that spans two rounds counts in each for its part, never twice.
 */
export function longestNoCommit(commits: readonly number[], from: number, to: number): number {
  let prev = from;
  let best = 0;
  for (const t of commits) {
    if (t <= from) continue;
    best = Math.max(best, Math.min(t, to) - prev);
    prev = t;
    if (t >= to) return best;
  }
  return Math.max(best, to - prev);
}

const ms = (x: number): number => Math.round(x);

/** One run's figures. `clock`: history ns ↔ run ms (timeline.json traffic.historyClock). */
export function pgRunFigures(r: RunResult, events: readonly HistoryEvent[], clock: { ns: number; runMs: number }): PgRunFigures {
  const at = (ns: number): number => clock.runMs + (ns - clock.ns) / 1e6;
  const first = r.rounds[0];
  const last = r.rounds.at(-1);
  const from = first?.startedAt ?? 0;
  const to = last?.endedAt ?? from;
  const inChaos = (t: number): boolean => t >= from && t < to;
  const invokedAt = new Map<number, number>();
  const transfers = { ok: 0, failed: 0, unknown: 0 };
  const reads: Record<string, number> = {};
  const commits: number[] = [];
  for (const e of events) {
    if (e.type === 'invoke') {
      invokedAt.set(e.process, at(e.time));
      continue;
    }
    const called = invokedAt.get(e.process) ?? at(e.time);
    if (e.f === 'transfer') {
      if (e.type === 'ok') commits.push(at(e.time));
      if (inChaos(called)) transfers[e.type === 'ok' ? 'ok' : e.type === 'fail' ? 'failed' : 'unknown']++;
    } else if (e.f === 'read' && e.type === 'ok' && inChaos(called) && e.pod) reads[e.pod] = (reads[e.pod] ?? 0) + 1;
  }
  commits.sort((a, b) => a - b);
  const unavailableMs: number[] = [];
  const primaryReadyMs: number[] = [];
  const primary = r.replication?.primary ?? 'db-0';
  for (const round of r.rounds) {
    for (const rec of round.recoveries) {
      if (rec.pod !== primary) continue;
      unavailableMs.push(ms(longestNoCommit(commits, rec.killedAt, round.endedAt)));
      if (typeof rec.readyMs === 'number') primaryReadyMs.push(ms(rec.readyMs));
    }
  }
  const probes = r.replication?.probes ?? [];
  const values = (k: 'caughtUpMs' | 'replayLagMs' | 'reconnectMs'): number[] => probes.flatMap((p) => Object.values(p[k] ?? {})).map(ms);
  const bank = r.checks.find((c) => c.id === 'STS-BANK-INVARIANT');
  return {
    runId: r.runId,
    seed: r.seed,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    verdict: verdictOf(r),
    problems: [
      ...(r.error ? [`run error: ${r.error.message}`] : []),
      ...r.checks.filter((c) => c.status === 'failed' || c.status === 'error').map((c) => `${c.id} ${c.status}: ${c.message}`),
    ],
    rounds: r.rounds.length,
    chaosMs: ms(to - from),
    primaryKills: unavailableMs.length,
    transfers,
    reads,
    unavailableMs,
    primaryReadyMs,
    catchUpMs: values('caughtUpMs'),
    replayLagMs: values('replayLagMs'),
    reconnectMs: values('reconnectMs'),
    bankAnomalies: events.length > 0 ? checkBank(events).anomalies.length : 0,
    bankCheck: bank ? `${bank.status}: ${bank.message}` : 'absent',
  };
}

export interface Spread {
  samples: number;
  p50?: number;
  p95?: number;
  max?: number;
}
export function spread(values: readonly number[]): Spread {
  const s: Spread = { samples: values.length };
  const p50 = nearestRank(values, 50);
  const p95 = nearestRank(values, 95);
  const max = nearestRank(values, 100);
  if (p50 !== undefined) s.p50 = p50;
  if (p95 !== undefined) s.p95 = p95;
  if (max !== undefined) s.max = max;
  return s;
}

export interface PgAggregate {
  runs: number;
  verdicts: Record<Verdict, number>;
  chaosMs: number;
  primaryKills: number;
  transfers: { ok: number; failed: number; unknown: number };
  /** Committed transfers per second of chaos. */
  transfersPerSecond: number;
  readsPerSecond: number;
  unavailable: Spread;
  primaryReady: Spread;
  catchUp: Spread;
  replayLag: Spread;
  reconnect: Spread;
  bankAnomalies: number;
}

export function mergePg(runs: readonly PgRunFigures[]): PgAggregate {
  const sum = (f: (r: PgRunFigures) => number): number => runs.reduce((a, r) => a + f(r), 0);
  const all = (f: (r: PgRunFigures) => number[]): number[] => runs.flatMap(f);
  const chaosMs = sum((r) => r.chaosMs);
  const perSecond = (n: number): number => (chaosMs > 0 ? Math.round((n / chaosMs) * 10_000) / 10 : 0);
  const transfers = { ok: sum((r) => r.transfers.ok), failed: sum((r) => r.transfers.failed), unknown: sum((r) => r.transfers.unknown) };
  const verdicts: Record<Verdict, number> = { passed: 0, failed: 0, error: 0 };
  for (const r of runs) verdicts[r.verdict]++;
  return {
    runs: runs.length,
    verdicts,
    chaosMs,
    primaryKills: sum((r) => r.primaryKills),
    transfers,
    transfersPerSecond: perSecond(transfers.ok),
    readsPerSecond: perSecond(sum((r) => Object.values(r.reads).reduce((a, n) => a + n, 0))),
    unavailable: spread(all((r) => r.unavailableMs)),
    primaryReady: spread(all((r) => r.primaryReadyMs)),
    catchUp: spread(all((r) => r.catchUpMs)),
    replayLag: spread(all((r) => r.replayLagMs)),
    reconnect: spread(all((r) => r.reconnectMs)),
    bankAnomalies: sum((r) => r.bankAnomalies),
  };
}
