// The failing STS-LINEARIZABLE sub-history in real headless Chromium: the figure is laid
// out (bars with width, inside the drawing), the stale read sits inside the disruption
// band it ran during, and the page stays quiet (no errors, no request but itself).
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import { writeReports } from '../../lib/report/write.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';
import { resultOf } from '../unit/helpers/assertions.ts';
import { history, r, w } from '../unit/helpers/history-builder.ts';
import { buildWebInput } from '../unit/helpers/timeline-builder.ts';
import { openBrowser } from './chromium.ts';

interface Box {
  x: number;
  width: number;
}
interface PageElement {
  getBBox(): Box;
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}
interface PageDocument {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
}
declare const document: PageDocument;

const MS = 1_000_000;

/** results-sample.json with a stale read by etcd-2 at t+57.04 s, inside round 3 (web-0, web-1, web-2 out). */
function failingRun(): RunResult {
  const result = JSON.parse(readFileSync(new URL('../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;
  const t = (ms: number): number => (57_000 + ms) * MS;
  const input = buildWebInput();
  input.history = {
    workload: 'register',
    file: 'history.jsonl',
    clock: { ns: 0, runMs: 0 },
    events: history(
      { ...w(0, 1, t(0), t(10)), pod: 'etcd-0' },
      { ...w(0, 2, t(20), t(30)), pod: 'etcd-0' },
      w(3, 3, t(35)),
      { ...r(1, 1, t(40), t(55)), pod: 'etcd-2' },
      w(2, 4, t(50), t(70)),
    ),
  };
  result.checks = [...result.checks, resultOf(input, 'STS-LINEARIZABLE')];
  return result;
}

describe('report: failing sub-history in headless Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let dir = '';

  before(async () => {
    ({ browser, context } = await openBrowser());
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-subhistory-'));
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('lays out the figure, the stale read inside the disruption band it ran during, with no error or request', async () => {
    if (!context) throw new Error('setup did not run');
    const report = await writeReports(failingRun(), dir);
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (q) => requests.push(q.url()));
    const url = pathToFileURL(path.join(report.dir, 'index.html')).href;
    await page.goto(url, { waitUntil: 'load' });
    await page.waitForTimeout(300);
    const drawn = await page.evaluate(() => {
      const fig = document.querySelector('#check-STS-LINEARIZABLE figure.subhistory svg');
      // A DOMRect's fields are getters: copied, so they survive the trip out of the page.
      const plain = (e: PageElement | null | undefined): Box | null => {
        const b = e?.getBBox();
        return b ? { x: b.x, width: b.width } : null;
      };
      const box = (sel: string): Box | null => plain(fig?.querySelector(sel));
      const ops = Array.from(document.querySelectorAll('#check-STS-LINEARIZABLE svg g.op rect')).map((e) => plain(e));
      const bands = Array.from(document.querySelectorAll('#check-STS-LINEARIZABLE svg g.disruption')).map((g) => ({
        pod: g.getAttribute('data-pod'),
        band: plain(g.querySelector('rect.disruption-span')),
      }));
      return { failing: box('g.op.failing rect'), ops, bands };
    });
    expect(problems, 'console and page errors').to.deep.equal([]);
    expect(requests, 'network requests').to.deep.equal([url]);
    expect(drawn.ops).to.have.length(5);
    for (const b of drawn.ops) expect(b?.width).to.be.greaterThan(1).and.lessThanOrEqual(960);
    expect(drawn.bands.map((b) => b.pod)).to.deep.equal(['web-0', 'web-1', 'web-2']);
    const f = drawn.failing;
    if (!f) throw new Error('the failing operation is not drawn');
    for (const { pod, band } of drawn.bands) {
      if (!band) throw new Error(`${pod}: no band`);
      expect(f.x, `the stale read starts inside ${pod}'s disruption band`).to.be.within(band.x, band.x + band.width);
    }
    if (process.env.ORDINAL_SUBHISTORY_SHOT)
      await page.locator('#check-STS-LINEARIZABLE').screenshot({ path: process.env.ORDINAL_SUBHISTORY_SHOT });
    await page.close();
  });
});
