import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { collectRuns, runResultProblem, writeHistory } from '../../../lib/report/history-write.ts';
import type { HistoryRun } from '../../../lib/report/history-grid.ts';
import { checkColumns, isIntermittent, renderHistory, runHref, summarizeRun } from '../../../lib/report/history.ts';
import { readyStats } from '../../../lib/report/stats.ts';
import { writeReports } from '../../../lib/report/write.ts';
import type { CheckStatus } from '../../../lib/checks/api.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const load = (name: string): RunResult =>
  JSON.parse(readFileSync(new URL(`../../fixtures/results-${name}.json`, import.meta.url), 'utf8')) as RunResult;

/** The sample run, started at `startedAt`, with some checks' statuses replaced. */
function variant(runId: string, startedAt: string, statuses: Record<string, CheckStatus> = {}): RunResult {
  const r = load('sample');
  return {
    ...r,
    runId,
    startedAt,
    checks: r.checks.map((c) => (statuses[c.id] ? { ...c, status: statuses[c.id] as CheckStatus } : c)),
  };
}

const runOrder = (html: string, section: string): string[] => {
  const start = html.indexOf(`<section id="${section}">`);
  const body = html.slice(start, html.indexOf('</section>', start));
  return [...body.matchAll(/<tr data-run="([^"]+)"/g)].map((m) => m[1] ?? '');
};

/** data-status of every grid cell, per run, keyed by check ID. */
function gridCells(html: string): Map<string, Record<string, string>> {
  const grid = new Map<string, Record<string, string>>();
  const start = html.indexOf('<section id="grid">');
  const body = html.slice(start, html.indexOf('</section>', start));
  for (const row of body.matchAll(/<tr data-run="([^"]+)">(.*?)<\/tr>/gs)) {
    const cells: Record<string, string> = {};
    for (const c of (row[2] ?? '').matchAll(/<td class="cell [^"]*" data-id="([^"]+)" data-status="([^"]+)"/g))
      cells[c[1] ?? ''] = c[2] ?? '';
    grid.set(row[1] ?? '', cells);
  }
  return grid;
}

describe('report: history page (pure rendering)', () => {
  const night1 = variant('20260301-020000-aaaa', '2026-03-01T02:00:00.000Z', { 'STS-DNS-A': 'passed', 'STS-DATA-SENTINEL': 'passed' });
  const night2 = variant('20260302-020000-bbbb', '2026-03-02T02:00:00.000Z', { 'STS-DNS-A': 'failed', 'STS-DATA-SENTINEL': 'passed' });
  const night3 = variant('20260303-020000-cccc', '2026-03-03T02:00:00.000Z', { 'STS-DNS-A': 'passed', 'STS-DATA-SENTINEL': 'passed' });
  const runs = (): HistoryRun[] => [night2, night3, night1].map((r) => summarizeRun(r, r.runId));

  it("summarizeRun keeps the verdict, checks and the run report's kill → Ready numbers", () => {
    const r = load('sample');
    const s = summarizeRun(r, r.runId);
    const stats = readyStats(r.rounds.flatMap((x) => x.recoveries));
    expect(s.verdict).to.equal('FAILED');
    expect(s.ready).to.deep.equal({ killed: stats.killed, recovered: stats.recovered, p50: stats.p50, p95: stats.p95 });
    expect(s.checks.map((c) => `${c.id}:${c.status}`)).to.deep.equal(r.checks.map((c) => `${c.id}:${c.status}`));
    expect(s.replay).to.equal(r.replay);
    expect(summarizeRun({ ...r, checks: [] }, r.runId).problem).to.equal('the run produced no check results');
  });

  it('lists runs newest first in the run table and in the grid, whatever order they were found in', () => {
    const html = renderHistory(runs());
    const expected = [night3.runId, night2.runId, night1.runId];
    expect(runOrder(html, 'runs')).to.deep.equal(expected);
    expect([...gridCells(html).keys()]).to.deep.equal(expected);
  });

  it("colours each grid cell by the check's status in that run and flags the intermittent check", () => {
    const html = renderHistory(runs());
    const grid = gridCells(html);
    expect(grid.get(night2.runId)?.['STS-DNS-A']).to.equal('failed');
    expect(grid.get(night3.runId)?.['STS-DNS-A']).to.equal('passed');
    expect(grid.get(night1.runId)?.['STS-TOPOLOGY-PRIMARY']).to.equal('skipped');
    expect(html).to.match(/<td class="cell s-failed" data-id="STS-DNS-A" data-status="failed"/);
    // One night in three failed: the column says so; the always-passing ones do not.
    expect(isIntermittent(runs(), 'STS-DNS-A')).to.equal(true);
    expect(isIntermittent(runs(), 'STS-IDENTITY')).to.equal(false);
    expect(isIntermittent(runs(), 'STS-TOPOLOGY-PRIMARY')).to.equal(false);
    expect(html).to.match(/<th class="col intermittent" data-id="STS-DNS-A"[^>]*>.*?<small>1\/3<\/small>/);
    expect(html).not.to.match(/<th class="col intermittent" data-id="STS-IDENTITY"/);
  });

  it('shows a check a run did not have as absent, and keeps columns of checks only older runs had', () => {
    const old = variant('20250101-020000-old0', '2025-01-01T02:00:00.000Z');
    old.checks = [...old.checks, { ...old.checks[0]!, id: 'STS-RETIRED' }];
    const all = [...runs(), summarizeRun(old, old.runId)];
    expect(checkColumns(all).at(-1)).to.equal('STS-RETIRED');
    // Catalog order first (only IDs some run has), so columns do not move with the newest run.
    const ordered = checkColumns(all, ['STS-IDENTITY', 'STS-NEVER-RAN', 'STS-ORDER-CREATE']);
    expect(ordered.slice(0, 2)).to.deep.equal(['STS-IDENTITY', 'STS-ORDER-CREATE']);
    expect(ordered).not.to.include('STS-NEVER-RAN');
    expect(ordered).to.have.length(checkColumns(all).length);
    const grid = gridCells(renderHistory(all));
    expect(grid.get(night3.runId)?.['STS-RETIRED']).to.equal('absent');
    expect(grid.get(old.runId)?.['STS-RETIRED']).to.equal('passed');
  });

  it("links every row to the run's own report inside the report dir", () => {
    const html = renderHistory(runs());
    expect(html).to.include(`href="./${night1.runId}/index.html"`);
    expect(runHref('nightly/a b')).to.equal('./nightly/a%20b/index.html');
    expect(runHref('javascript:alert(1)')).to.equal('./javascript%3Aalert(1)/index.html');
  });

  it('never lets hostile strings from a run or its directory name out as markup', () => {
    const hostile = load('hostile');
    const html = renderHistory([summarizeRun(hostile, '"><img src=x onerror=alert(1)>'), ...runs()]);
    for (const raw of ['<script>alert', '<img src=x', '<svg onload', '"><img', '\u001b[31m', '</script><script>']) {
      expect(html, raw).not.to.include(raw);
    }
    expect(html).to.include('&lt;/script&gt;&lt;script&gt;alert(&quot;replay&quot;)');
    expect(html).to.include(`href="./%22%3E%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E/index.html"`);
    // The hostile check ID reaches attributes escaped, never breaking out of them.
    expect(html).to.include('data-id="STS-DNS-A,title=x:y"');
    expect((html.match(/<script>/g) ?? []).length).to.equal(1);
  });

  it('allows only its own style and script by hash, and loads nothing', () => {
    const html = renderHistory(runs());
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    const hash = (t: string): string => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    expect(csp).to.include("default-src 'none'");
    expect(csp).to.include(`style-src ${hash(style)}`);
    expect(csp).to.include(`script-src ${hash(script)}`);
    // Nothing that could load: no src attributes, no CSS url() or @import, and every link relative.
    expect(html).not.to.match(/\b(src|srcset)=|url\(|@import/);
    expect([...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]).filter((u) => !u?.startsWith('./'))).to.deep.equal([]);
  });

  it('draws p50 and p95 per run in the trend, oldest left, and breaks the line at a run without recoveries', () => {
    const html = renderHistory(runs());
    const points = (key: string): { run: string; x: number; ms: number }[] =>
      [
        ...html.matchAll(
          new RegExp(`<circle class="pt ${key}" cx="([\\d.]+)" cy="[\\d.]+" r="3.5" data-run="([^"]+)" data-ms="(\\d+)"`, 'g'),
        ),
      ].map((m) => ({ x: Number(m[1]), run: m[2] ?? '', ms: Number(m[3]) }));
    const p50 = points('p50');
    expect(p50.map((p) => p.run)).to.deep.equal([night1.runId, night2.runId, night3.runId]);
    expect(p50[0]!.x).to.be.lessThan(p50[2]!.x);
    const stats = readyStats(night1.rounds.flatMap((r) => r.recoveries));
    expect(p50[0]!.ms).to.equal(stats.p50);
    expect(points('p95')[0]!.ms).to.equal(stats.p95);
    expect(html.match(/<polyline class="line p50"/g)).to.have.length(1);

    const idle = { ...variant('20260302-120000-idle', '2026-03-02T12:00:00.000Z'), rounds: [] };
    const night4 = variant('20260304-020000-dddd', '2026-03-04T02:00:00.000Z');
    const gapped = renderHistory([...runs(), summarizeRun(idle, idle.runId), summarizeRun(night4, night4.runId)]);
    expect(gapped.match(/<polyline class="line p50"/g), 'two segments around the gap').to.have.length(2);
    expect(renderHistory([summarizeRun(idle, idle.runId)])).to.include('No run recorded a pod coming back Ready yet');
  });

  it('shows at most `limit` runs, the newest, and says how many were left out', () => {
    const html = renderHistory(runs(), { limit: 2 });
    expect(runOrder(html, 'runs')).to.deep.equal([night3.runId, night2.runId]);
    expect(html).to.include('1 older left out');
  });
});

describe('report: history page (files)', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-history-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const put = (rel: string, text: string): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  };

  it('runResultProblem names what is wrong with a file that is not a RunResult of this schema', () => {
    expect(runResultProblem(load('sample'))).to.equal(undefined);
    expect(runResultProblem({ ...load('sample'), schemaVersion: 2 })).to.equal('schemaVersion 2 is not 1');
    expect(runResultProblem([])).to.equal('not a JSON object');
    expect(runResultProblem({ ...load('sample'), checks: [{ id: 'X', status: 'weird', message: '' }] })).to.equal(
      'checks is not a list of check results',
    );
  });

  it('finds every run once, skips broken and other-schema files with a warning, and ignores the latest symlink', async () => {
    const a = variant('run-a', '2026-03-01T02:00:00.000Z');
    const b = variant('run-b', '2026-03-02T02:00:00.000Z');
    put('run-a/results.json', JSON.stringify(a));
    put('nightly/run-b/results.json', JSON.stringify(b));
    put('broken/results.json', '{"schemaVersion": 1, "runId": ');
    put('future/results.json', JSON.stringify({ ...a, runId: 'run-f', schemaVersion: 2 }));
    put('copy-of-a/results.json', JSON.stringify(a));
    symlinkSync('run-a', path.join(dir, 'latest'));
    const { runs, warnings } = await collectRuns(dir);
    expect(runs.map((r) => `${r.dir}=${r.runId}`).sort()).to.deep.equal(['nightly/run-b=run-b', 'run-a=run-a']);
    expect(warnings).to.have.length(3);
    expect(warnings.find((w) => w.includes(path.join('broken', 'results.json')))).to.match(/JSON/);
    expect(warnings.find((w) => w.includes('future'))).to.include('schemaVersion 2 is not 1');
    expect(warnings.find((w) => w.includes('copy-of-a'))).to.include('already found in run-a');
  });

  it('writeHistory writes index.html atomically, leaving no temporary file', async () => {
    put('run-a/results.json', JSON.stringify(variant('run-a', '2026-03-01T02:00:00.000Z')));
    const out = await writeHistory(dir);
    expect(out.path).to.equal(path.join(dir, 'index.html'));
    expect(readFileSync(out.path, 'utf8'))
      .to.match(/^<!doctype html>/)
      .and.include('data-run="run-a"');
    expect(readdirSync(dir).sort()).to.deep.equal(['index.html', 'run-a']);
  });

  it('every writeReports refreshes the history with all runs in the report dir', async () => {
    const older = variant('20260301-020000-aaaa', '2026-03-01T02:00:00.000Z');
    const newer = variant('20260302-020000-bbbb', '2026-03-02T02:00:00.000Z', { 'STS-DNS-A': 'passed', 'STS-DATA-SENTINEL': 'passed' });
    expect((await writeReports(older, dir)).warnings).to.deep.equal([]);
    await writeReports(newer, dir);
    const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(runOrder(html, 'runs')).to.deep.equal([newer.runId, older.runId]);
    expect(html).to.include(`data-verdict="PASSED"`).and.include(`data-verdict="FAILED"`);
  });

  it('a broken history never costs the run its own report: the reason comes back as a warning', async () => {
    put('garbage/results.json', 'not json');
    const r = load('sample');
    const first = await writeReports(r, dir);
    expect(first.warnings).to.have.length(1);
    expect(first.warnings[0]).to.match(/^history: skipped .*garbage.*results\.json/);
    expect(readFileSync(path.join(dir, 'index.html'), 'utf8')).to.include(`data-run="${r.runId}"`);

    // index.html cannot be replaced (it is a directory): the run's files are still complete.
    rmSync(path.join(dir, 'index.html'));
    mkdirSync(path.join(dir, 'index.html'));
    const second = await writeReports(r, dir);
    expect(second.files.map((f) => path.basename(f))).to.deep.equal(['results.json', 'junit.xml', 'index.html']);
    expect(second.warnings.at(-1)).to.match(/^history: .*index\.html not refreshed: /);
    expect(
      readdirSync(dir).filter((f) => f.startsWith('.index-')),
      'no temp file left',
    ).to.deep.equal([]);
  });
});
