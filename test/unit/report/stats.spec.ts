import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { formatDuration } from '../../../lib/report/format.ts';
import { nearestRank } from '../../../lib/percentile.ts';
import { countStatuses, readyStats, reportOrder, runProblem, verdictOf } from '../../../lib/report/stats.ts';
import type { CheckResult } from '../../../lib/checks/api.ts';
import type { PodRecovery } from '../../../lib/model.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const sample = (): RunResult =>
  JSON.parse(readFileSync(new URL('../../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;

const check = (id: string, status: CheckResult['status']): CheckResult => ({
  id,
  guarantee: 'g',
  status,
  message: 'm',
  evidence: [],
  durationMs: 0,
});

describe('report stats', () => {
  it('nearestRank picks an observed value by ceil(p/100 * n), whatever the input order', () => {
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];
    expect(nearestRank(values, 50)).to.equal(5);
    expect(nearestRank(values, 90)).to.equal(9);
    expect(nearestRank(values, 95)).to.equal(10);
    expect(nearestRank(values, 0)).to.equal(1);
    expect(nearestRank([42], 95)).to.equal(42);
    expect(nearestRank([], 50)).to.equal(undefined);
    expect(values[0], 'input must not be sorted in place').to.equal(10);
  });

  it('readyStats summarises kill → Ready over recovered pods only', () => {
    const round3 = sample().rounds[2];
    expect(readyStats(round3?.recoveries ?? [])).to.deep.equal({ killed: 3, recovered: 3, p50: 6720, p95: 9580, max: 9580 });
    const lost: PodRecovery = { pod: 'web-9', round: 1, action: 'delete', killedAt: 0, runningMs: 50_000, recovered: false };
    const withLost = [...(round3?.recoveries ?? []), lost];
    expect(readyStats(withLost)).to.deep.equal({ killed: 4, recovered: 3, p50: 6720, p95: 9580, max: 9580 });
    expect(readyStats([lost])).to.deep.equal({ killed: 1, recovered: 0 });
  });

  it('counts statuses from the checks, not from summary', () => {
    const r = sample();
    r.summary = { passed: 99, failed: 0, error: 0, skipped: 0 };
    expect(countStatuses(r.checks)).to.deep.equal({ passed: 5, failed: 1, error: 1, skipped: 1, total: 8 });
  });

  it('orders failed, error, passed, skipped and keeps run order within a status', () => {
    const ordered = reportOrder([
      check('A', 'passed'),
      check('B', 'skipped'),
      check('C', 'error'),
      check('D', 'failed'),
      check('E', 'passed'),
      check('F', 'failed'),
    ]);
    expect(ordered.map((c) => c.id)).to.deep.equal(['D', 'F', 'C', 'A', 'E', 'B']);
  });

  it('verdict: a failure wins, then errors, a run error or an empty run; otherwise PASSED', () => {
    const r = sample();
    expect(verdictOf(r)).to.equal('FAILED');
    r.checks = r.checks.filter((c) => c.status !== 'failed');
    expect(verdictOf(r)).to.equal('ERROR');
    r.checks = r.checks.filter((c) => c.status !== 'error');
    expect(verdictOf(r)).to.equal('PASSED');
    expect(verdictOf({ ...r, error: { message: 'watch died' } })).to.equal('ERROR');
    expect(verdictOf({ ...r, checks: [] })).to.equal('ERROR');
    expect(runProblem({ ...r, checks: [] })?.message).to.match(/no check results/);
  });

  it('formats durations for people', () => {
    expect(formatDuration(850)).to.equal('850 ms');
    expect(formatDuration(3915)).to.equal('3.92 s');
    expect(formatDuration(34_200)).to.equal('34.2 s');
    expect(formatDuration(245_000)).to.equal('4 m 05 s');
    expect(formatDuration(undefined)).to.equal('—');
  });
});
