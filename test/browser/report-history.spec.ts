// Opens the history page (<report-dir>/index.html) from file:// in real headless
// Chromium: it must render its grid and trend with no network, no errors and no
// injected markup, and its rows must lead to each run's own report.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openBrowser } from './chromium.ts';
import { writeReports } from '../../lib/report/write.ts';
import type { CheckStatus } from '../../lib/checks/api.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';

// The project compiles without the DOM lib (it targets Node), so the few browser APIs
// used inside page callbacks are declared here, for this module only.
interface PageElement {
  textContent: string | null;
}
declare const document: { querySelectorAll(selector: string): ArrayLike<PageElement> & Iterable<PageElement> };
declare function getComputedStyle(element: unknown): { backgroundColor: string };

const SCREENSHOT = new URL('../../docs/history-screenshot.png', import.meta.url);

const load = (name: string): RunResult =>
  JSON.parse(readFileSync(new URL(`../fixtures/results-${name}.json`, import.meta.url), 'utf8')) as RunResult;

/** Nightly runs of the sample: STS-DNS-A fails on night 3, recovery slows a little each night. */
function night(n: number): RunResult {
  const r = load('sample');
  const status = (id: string, s: CheckStatus): CheckStatus =>
    id === 'STS-DNS-A' ? (n === 3 ? 'failed' : 'passed') : id === 'STS-DATA-SENTINEL' ? 'passed' : s;
  return {
    ...r,
    runId: `202603${String(n).padStart(2, '0')}-020000-00${n}`,
    startedAt: `2026-03-${String(n).padStart(2, '0')}T02:00:00.000Z`,
    checks: r.checks.map((c) => ({ ...c, status: status(c.id, c.status) })),
    rounds: r.rounds.map((round) => ({
      ...round,
      recoveries: round.recoveries.map((x) => (x.readyMs === undefined ? x : { ...x, readyMs: x.readyMs + n * 150 })),
    })),
  };
}

describe('report: history page in headless Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let dir = '';
  const nights = [1, 2, 3, 4, 5, 6].map(night);

  before(async function () {
    ({ browser, context } = await openBrowser());
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-history-browser-'));
    for (const r of [...nights, load('hostile')]) await writeReports(r, dir);
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  interface Opened {
    page: Page;
    url: string;
    problems: string[];
    requests: string[];
  }

  async function open(): Promise<Opened> {
    if (!context) throw new Error('setup did not run');
    const page = await context.newPage();
    const url = pathToFileURL(path.join(dir, 'index.html')).href;
    const o: Opened = { page, url, problems: [], requests: [] };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') o.problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => o.problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      o.problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.on('request', (r) => o.requests.push(r.url()));
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(300);
    return o;
  }

  it('opens from file:// with no request but itself, no errors and no dialogs', async () => {
    const o = await open();
    expect(o.problems).to.deep.equal([]);
    expect(o.requests).to.deep.equal([o.url]);
    await o.page.close();
  });

  it('shows the grid: one visible row per run, newest first, one cell per check, the flaky check flagged', async () => {
    const o = await open();
    const grid = await o.page.$$eval('table.grid tbody tr', (rows) =>
      rows.map((tr) => ({
        run: tr.getAttribute('data-run') ?? '',
        cells: [...tr.querySelectorAll('td.cell')].map((td) => td.getAttribute('data-status') ?? ''),
      })),
    );
    // The hostile fixture started last (2026-03-14), so it tops the list.
    expect(grid.map((r) => r.run)).to.deep.equal([load('hostile').runId, ...[...nights].reverse().map((r) => r.runId)]);
    expect(await o.page.isVisible('table.grid')).to.equal(true);
    const columns = await o.page.$$eval('table.grid thead th.col', (ths) => ths.map((th) => th.getAttribute('data-id') ?? ''));
    for (const row of grid) expect(row.cells).to.have.length(columns.length);
    const night3 = grid.find((r) => r.run === nights[2]?.runId);
    expect(night3?.cells[columns.indexOf('STS-DNS-A')]).to.equal('failed');
    // The failed cell is painted differently from a passed one.
    const colours = await o.page.$$eval('td.cell.s-failed, td.cell.s-passed', (tds) => [
      ...new Set(tds.map((td) => getComputedStyle(td).backgroundColor)),
    ]);
    expect(colours.length).to.be.greaterThan(1);
    const flagged = await o.page.$$eval('th.col.intermittent', (ths) => ths.map((th) => th.getAttribute('data-id')));
    expect(flagged).to.include('STS-DNS-A');
    expect(await o.page.isVisible('th.col.intermittent[data-id="STS-DNS-A"] .flag')).to.equal(true);
    await o.page.close();
  });

  it('shows the trend: visible p50 and p95 lines with one drawn point per run', async () => {
    const o = await open();
    const trend = await o.page.$eval('svg.trend', (svg) => ({
      height: svg.getBoundingClientRect().height,
      width: svg.getBoundingClientRect().width,
      p50: [...svg.querySelectorAll('circle.pt.p50')].map((c) => (c as unknown as { getBBox(): { width: number } }).getBBox().width),
      p95: svg.querySelectorAll('circle.pt.p95').length,
      lines: [...svg.querySelectorAll('polyline.line')].map((l) => (l as unknown as { getTotalLength(): number }).getTotalLength()),
    }));
    expect(trend.height).to.be.greaterThan(150);
    expect(trend.width).to.be.greaterThan(800);
    // Six nights with recoveries; the hostile run recorded none, so it has no point.
    expect(trend.p50).to.have.length(6);
    for (const w of trend.p50) expect(w).to.be.greaterThan(0);
    expect(trend.p95).to.equal(6);
    expect(trend.lines).to.have.length(2);
    for (const len of trend.lines) expect(len).to.be.greaterThan(100);
    await o.page.close();
  });

  it('the hostile run shows as text, injects nothing, and its replay command is intact', async () => {
    const o = await open();
    const dom = await o.page.evaluate(() => ({
      scripts: document.querySelectorAll('script').length,
      injected: document.querySelectorAll('img, iframe, [onerror], [onload], body svg:not(.trend)').length,
      replays: [...document.querySelectorAll('.replay-row code')].map((c) => c.textContent ?? ''),
    }));
    expect(dom.scripts).to.equal(1);
    expect(dom.injected).to.equal(0);
    expect(dom.replays.some((r) => r.includes('</script><script>alert("replay")</script><!--'))).to.equal(true);
    expect(o.problems).to.deep.equal([]);
    await o.page.close();
  });

  it("a row links to that run's own report, which opens from file:// too", async () => {
    const o = await open();
    const target = nights[2]?.runId ?? '';
    await Promise.all([o.page.waitForEvent('load'), o.page.click(`table.runs tr[data-run="${target}"] a`)]);
    expect(o.page.url()).to.equal(pathToFileURL(path.join(dir, target, 'index.html')).href);
    expect(await o.page.textContent('#verdict .verdict')).to.equal('FAILED');
    expect(o.problems).to.deep.equal([]);
    expect(o.requests.filter((u) => !u.startsWith('file:'))).to.deep.equal([]);
    await o.page.close();
  });

  // Refreshed only on request (UPDATE_SCREENSHOT=1), like the run report's picture.
  it('full-page screenshot at 1280 px for docs/reading-the-report.md', async () => {
    const o = await open();
    const target =
      process.env.UPDATE_SCREENSHOT === '1' ? SCREENSHOT.pathname : path.join(os.tmpdir(), `ordinal-history-shot-${process.pid}.png`);
    const png = await o.page.screenshot({ path: target, fullPage: true });
    expect(png.readUInt32BE(16), 'PNG width').to.equal(1280);
    expect(png.length).to.be.greaterThan(30_000);
    await o.page.close();
  });
});
