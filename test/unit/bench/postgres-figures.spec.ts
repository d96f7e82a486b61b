// bench/postgres-figures.ts: the seed search for a primary-only plan, the longest stretch
// without a commit, and one run's figures from a small synthetic result and history.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { RESULTS_ROOT } from '../../../bench/figures-store.ts';
import { longestNoCommit, mergePg, type PgRunFigures, pgRunFigures, primaryOnlySeed } from '../../../bench/postgres-figures.ts';
import { planRounds } from '../../../lib/chaos/plan.ts';
import type { HistoryEvent } from '../../../lib/history/events.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

describe('bench:postgres figures', function () {
  it('finds the first seed whose every round deletes db-0 and nothing else', function () {
    const seed = primaryOnlySeed(7000, 3);
    const plan = (s: number) => planRounds({ seed: s, statefulSet: 'db', replicas: 3, rounds: 3, actions: ['delete'] });
    expect(plan(seed).map((r) => r.kills.map((k) => `${k.pod} ${k.action}`))).to.deep.equal([
      ['db-0 delete'],
      ['db-0 delete'],
      ['db-0 delete'],
    ]);
    for (let s = 7000; s < seed; s++) expect(plan(s).every((r) => r.kills.length === 1 && r.kills[0]?.ordinal === 0)).to.equal(false);
    expect(() => primaryOnlySeed(7000, 3, 3, Math.max(1, seed - 7000))).to.throw(/no seed in 7000…/);
  });

  it('the longest stretch without a commit inside the window, clipped to it', function () {
    // Commits every 100 ms, then none from 1000 to 4500: the deletion at 1050 sees 3450 ms.
    expect(longestNoCommit([800, 900, 1000, 4500, 4600], 1050, 6000)).to.equal(3450);
    // Still no commit at the window's end: counted to the end.
    expect(longestNoCommit([800, 1000], 1050, 3000)).to.equal(1950);
    // No commit ever: the whole window.
    expect(longestNoCommit([], 100, 700)).to.equal(600);
    // Commits all through: the longest gap, from the window's start (100 → 250 counts from 120).
    expect(longestNoCommit([0, 100, 250, 300, 400], 120, 350)).to.equal(130);
    // The stretch after the last commit runs to the window's end.
    expect(longestNoCommit([0, 100, 250, 300, 500], 90, 1000)).to.equal(500);
  });

  it("one run's figures: transfers and reads in the chaos window, no-commit time per primary deletion, replication values, anomalies", function () {
    const s = 1e6; // ns per run ms, history clock at 0 ns = run ms 0
    const ev = (
      process: number,
      type: HistoryEvent['type'],
      f: HistoryEvent['f'],
      ms: number,
      value: HistoryEvent['value'],
      pod?: string,
    ): HistoryEvent => ({
      process,
      type,
      f,
      key: 'accounts',
      value,
      time: ms * s,
      ...(pod ? { pod } : {}),
    });
    const events: HistoryEvent[] = [
      ev(0, 'invoke', 'write', 0, { 0: 10, 1: 10 }),
      ev(0, 'ok', 'write', 1, { 0: 10, 1: 10 }),
      ev(1, 'invoke', 'transfer', 1000, [0, 1, 1], 'db-0'),
      ev(1, 'ok', 'transfer', 1010, [0, 1, 1], 'db-0'),
      ev(1, 'invoke', 'transfer', 1100, [0, 1, 1], 'db-0'),
      ev(1, 'fail', 'transfer', 1110, [0, 1, 1], 'db-0'),
      ev(2, 'invoke', 'read', 1200, null, 'db-1'),
      ev(2, 'ok', 'read', 1210, { 0: 9, 1: 12 }, 'db-1'),
      ev(1, 'invoke', 'transfer', 4000, [1, 0, 2], 'db-0'),
      ev(1, 'ok', 'transfer', 4020, [1, 0, 2], 'db-0'),
      ev(3, 'invoke', 'transfer', 9000, [1, 0, 2], 'db-0'),
      ev(3, 'ok', 'transfer', 9010, [1, 0, 2], 'db-0'),
    ];
    const result = {
      runId: 'r1',
      seed: 1,
      startedAt: 'a',
      finishedAt: 'b',
      checks: [{ id: 'STS-BANK-INVARIANT', status: 'failed', message: '1 of 1 reads break the bank invariant' }],
      rounds: [
        {
          plan: { round: 1, pattern: 'sequential', kills: [{ pod: 'db-0', ordinal: 0, action: 'delete' }] },
          startedAt: 900,
          endedAt: 5000,
          converged: true,
          recoveries: [{ pod: 'db-0', round: 1, action: 'delete', expect: 'replaced', killedAt: 1050, recovered: true, readyMs: 2500 }],
        },
      ],
      replication: {
        primary: 'db-0',
        probes: [{ caughtUpMs: { 'db-1': 40, 'db-2': 60 }, replayLagMs: { 'db-1': 5 }, reconnectMs: { 'db-1': 3000 } }, { caughtUpMs: {} }],
      },
    } as unknown as RunResult;
    const f = pgRunFigures(result, events, { ns: 0, runMs: 0 });
    expect(f.chaosMs).to.equal(4100);
    expect(f.verdict).to.equal('failed');
    expect(f.transfers).to.deep.equal({ ok: 2, failed: 1, unknown: 0 });
    expect(f.reads).to.deep.equal({ 'db-1': 1 });
    // The deletion at 1050, the next commit at 4020.
    expect(f.unavailableMs).to.deep.equal([2970]);
    expect(f.primaryReadyMs).to.deep.equal([2500]);
    expect([f.catchUpMs, f.replayLagMs, f.reconnectMs]).to.deep.equal([[40, 60], [5], [3000]]);
    // The read on db-1 saw 21 of a total of 20.
    expect(f.bankAnomalies).to.equal(1);
    const m = mergePg([f, { ...f, runId: 'r2', verdict: 'passed', bankAnomalies: 0 }]);
    expect(m.chaosMs).to.equal(8200);
    expect(m.transfersPerSecond).to.equal(0.5);
    expect(m.verdicts).to.deep.equal({ passed: 1, failed: 1, error: 0 });
    expect(m.unavailable).to.deep.equal({ samples: 2, p50: 2970, p95: 2970, max: 2970 });
    expect(m.bankAnomalies).to.equal(1);
  });

  it('the committed set bench/results/2026-12-06/postgres: aggregate.json is what its per-run files merge to', function () {
    const dir = path.join(RESULTS_ROOT, '2026-12-06', 'postgres');
    const runs = readdirSync(path.join(dir, 'runs'))
      .map((f) => JSON.parse(readFileSync(path.join(dir, 'runs', f), 'utf8')) as PgRunFigures)
      .sort((a, b) => a.startedAt.localeCompare(b.startedAt));
    const agg = JSON.parse(readFileSync(path.join(dir, 'aggregate.json'), 'utf8')) as { figures: unknown };
    expect(runs).to.not.be.empty;
    expect(agg.figures).to.deep.equal(mergePg(runs));
  });
});
