// Opens the rendered reports from file:// in real headless Chromium: the only way to
// know the page runs with no errors, no network and no injected script.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { openBrowser } from './chromium.ts';
import { writeReports } from '../../lib/report/write.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';

// The project compiles without the DOM lib (it targets Node), so the few browser APIs
// used inside page.evaluate are declared here, for this module only.
interface PageElement {
  textContent: string | null;
  getAttribute(name: string): string | null;
  getBBox(): { x: number; width: number };
  firstChild: { textContent: string | null } | null;
  classList: { contains(name: string): boolean };
}
interface PageDocument {
  getElementById(id: string): PageElement | null;
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): { length: number };
  getElementsByTagName(name: string): { length: number; [index: number]: PageElement | undefined };
}
declare const document: PageDocument;
declare const DOMParser: new () => { parseFromString(text: string, type: string): PageDocument };

const SCREENSHOT = new URL('../../docs/report-screenshot.png', import.meta.url);

const load = (name: string): RunResult =>
  JSON.parse(readFileSync(new URL(`../fixtures/results-${name}.json`, import.meta.url), 'utf8')) as RunResult;

interface Opened {
  page: Page;
  url: string;
  consoleErrors: string[];
  pageErrors: string[];
  requests: string[];
  dialogs: string[];
}

describe('report: HTML in headless Chromium', function () {
  this.timeout(120_000);
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let dir = '';
  const reports = new Map<string, { result: RunResult; dir: string }>();

  before(async function () {
    ({ browser, context } = await openBrowser());
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-browser-'));
    for (const name of ['sample', 'hostile']) {
      const result = load(name);
      reports.set(name, { result, dir: (await writeReports(result, dir)).dir });
    }
    // The sample with a partition of web-1 held 1 s to 3 s into round 1 (35.0 s – 39.46 s).
    const faulted = { ...load('sample'), runId: 'faults-sample' };
    faulted.faults = [
      {
        kind: 'partition',
        round: 1,
        pod: 'web-1',
        node: 'ordinal-worker',
        peers: ['10.0.0.1'],
        confirmedAtMs: 36_000,
        confirmMs: 2400,
        healedAtMs: 38_000,
        healConfirmMs: 700,
      },
    ];
    reports.set('faults', { result: faulted, dir: (await writeReports(faulted, dir)).dir });
  });

  after(async () => {
    await context?.close();
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function open(name: string, file = 'index.html'): Promise<Opened> {
    const report = reports.get(name);
    if (!context || !report) throw new Error('setup did not run');
    const page = await context.newPage();
    const url = pathToFileURL(path.join(report.dir, file)).href;
    const opened: Opened = { page, url, consoleErrors: [], pageErrors: [], requests: [], dialogs: [] };
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') opened.consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => opened.pageErrors.push(e.message));
    page.on('request', (r) => opened.requests.push(r.url()));
    page.on('dialog', (d) => {
      opened.dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(url, { waitUntil: 'load' });
    return opened;
  }

  function expectQuiet(o: Opened): void {
    expect(o.consoleErrors, 'console errors').to.deep.equal([]);
    expect(o.pageErrors, 'page errors').to.deep.equal([]);
    expect(o.requests, 'network requests').to.deep.equal([o.url]);
    expect(o.dialogs, 'dialogs').to.deep.equal([]);
  }

  for (const name of ['sample', 'hostile']) {
    it(`${name}: opens from file:// with no console errors, no page errors and no request but itself`, async () => {
      const o = await open(name);
      // Let late work (timers, lazy loads) show up before judging.
      await o.page.waitForTimeout(300);
      expectQuiet(o);
      await o.page.close();
    });

    it(`${name}: the embedded JSON parses back to the same RunResult`, async () => {
      const o = await open(name);
      const embedded: unknown = await o.page.evaluate(() => JSON.parse(document.getElementById('ordinal-results')?.textContent ?? 'null'));
      expect(embedded).to.deep.equal(reports.get(name)?.result);
      await o.page.close();
    });

    it(`${name}: junit.xml is well-formed XML for the browser's parser`, async () => {
      const o = await open(name);
      const xml = readFileSync(path.join(reports.get(name)?.dir ?? '', 'junit.xml'), 'utf8');
      const parsed = await o.page.evaluate((text) => {
        const doc = new DOMParser().parseFromString(text, 'application/xml');
        return {
          error: doc.getElementsByTagName('parsererror')[0]?.textContent ?? null,
          cases: doc.getElementsByTagName('testcase').length,
          scripts: doc.getElementsByTagName('script').length,
        };
      }, xml);
      expect(parsed.error).to.equal(null);
      expect(parsed.cases).to.be.greaterThan(3);
      expect(parsed.scripts).to.equal(0);
      await o.page.close();
    });
  }

  it('hostile: no injected element or script runs, and the strings are shown as text', async () => {
    const o = await open('hostile');
    const dom = await o.page.evaluate(() => ({
      scripts: document.querySelectorAll('script').length,
      injected: document.querySelectorAll('img, iframe, [onerror], [onload], body svg:not(.timeline)').length,
      replay: document.getElementById('replay-command')?.textContent ?? '',
      runError: document.getElementById('run-error')?.textContent ?? '',
    }));
    expect(dom.scripts).to.equal(2);
    expect(dom.injected).to.equal(0);
    expect(dom.replay).to.include('</script><script>alert("replay")</script><!--');
    expect(dom.runError).to.include("<script>alert('run error')</script>");
    expectQuiet(o);
    await o.page.close();
  });

  it('sample: failed and errored checks come before passed and skipped ones in the DOM', async () => {
    const o = await open('sample');
    const order = await o.page.$$eval('article.check', (els) => els.map((e) => e.getAttribute('data-status') ?? ''));
    expect(order).to.have.length(8);
    const lastBad = Math.max(order.lastIndexOf('failed'), order.lastIndexOf('error'));
    const firstGood = Math.min(...['passed', 'skipped'].map((s) => order.indexOf(s)).filter((i) => i >= 0));
    expect(lastBad).to.be.lessThan(firstGood);
    expect(order[0]).to.equal('failed');
    await o.page.close();
  });

  it('sample: every round has one visible SVG lane per ordinal, with drawn phases', async () => {
    const o = await open('sample');
    const rounds = await o.page.$$eval('svg.timeline', (svgs) =>
      svgs.map((svg) => ({
        lanes: [...svg.querySelectorAll('g.lane')].map((g) => g.getAttribute('data-ordinal')),
        widths: [...svg.querySelectorAll('rect.seg')].map((r) => (r as unknown as PageElement).getBBox().width),
        height: svg.getBoundingClientRect().height,
      })),
    );
    expect(rounds).to.have.length(3);
    for (const r of rounds) {
      expect(r.lanes).to.deep.equal(['0', '1', '2']);
      expect(r.height).to.be.greaterThan(80);
      expect(r.widths.length).to.be.greaterThan(0);
      for (const w of r.widths) expect(w).to.be.greaterThan(0);
    }
    await o.page.close();
  });

  it('sample: each killed lane names its node inside the drawing, and a replacement on another node is marked', async () => {
    const o = await open('sample');
    const lanes = await o.page.$$eval('svg.timeline', (svgs) =>
      svgs.map((svg) =>
        [...svg.querySelectorAll('g.lane')].map((g) => {
          const node = g.querySelector('text.lane-node') as unknown as PageElement | null;
          const box = node?.getBBox();
          return {
            pod: g.getAttribute('data-pod'),
            node: node ? node.firstChild?.textContent : null,
            moved: node?.classList.contains('moved') ?? false,
            right: box ? box.x + box.width : 0,
            width: box?.width ?? 0,
            marks: g.querySelectorAll('g.move').length,
          };
        }),
      ),
    );
    // The fixture: round 1 web-1 moved worker → worker2; round 2 web-0 stayed, web-2 moved back.
    expect(lanes[0]?.find((l) => l.pod === 'web-1')).to.include({ node: '→ ordinal-worker2', moved: true, marks: 1 });
    expect(lanes[0]?.find((l) => l.pod === 'web-0')).to.include({ node: null, marks: 0 });
    expect(lanes[1]?.find((l) => l.pod === 'web-0')).to.include({ node: 'ordinal-worker', moved: false, marks: 0 });
    expect(lanes[1]?.find((l) => l.pod === 'web-2')).to.include({ node: '→ ordinal-worker', moved: true, marks: 1 });
    for (const l of lanes.flat().filter((x) => x.node)) {
      expect(l.width, `${l.pod} node label drawn`).to.be.greaterThan(20);
      expect(l.right, `${l.pod} node label inside the 960-wide drawing`).to.be.at.most(960);
    }
    expect(await o.page.textContent('.legend')).to.include('replacement on another node');
    expectQuiet(o);
    await o.page.close();
  });

  it("faults: the partition's band is drawn behind web-1's lane in round 1 only, inside the plot, and the Faults section lists it", async () => {
    const o = await open('faults');
    const bands = await o.page.$$eval('svg.timeline', (svgs) =>
      svgs.map((svg) =>
        [...svg.querySelectorAll('g.fault')].map((g) => {
          const band = (g.querySelector('rect.fault-band') as unknown as PageElement).getBBox();
          const lane = svg.querySelector(`g.lane[data-pod="${g.getAttribute('data-pod')}"] text.lane-label`) as unknown as PageElement;
          return {
            pod: g.getAttribute('data-pod'),
            kind: g.getAttribute('data-kind'),
            x: band.x,
            width: band.width,
            laneLabelRight: lane.getBBox().x + lane.getBBox().width,
          };
        }),
      ),
    );
    expect(bands.map((r) => r.length)).to.deep.equal([1, 0, 0]);
    const band = bands[0]?.[0];
    expect(band).to.include({ pod: 'web-1', kind: 'partition' });
    expect(band?.width, 'a visible band').to.be.greaterThan(20);
    expect(band?.x, 'right of the lane labels').to.be.greaterThan(band?.laneLabelRight ?? 0);
    expect((band?.x ?? 0) + (band?.width ?? 0), 'inside the plot').to.be.at.most(960 - 150);
    expect(await o.page.textContent('#faults'))
      .to.include('Faults (1)')
      .and.include('partition')
      .and.include('2.40 s');
    expect(await o.page.textContent('.legend')).to.include('fault held (partition)');
    expectQuiet(o);
    await o.page.close();
  });

  it('sample: the Copy button copies or selects the replay command without errors', async () => {
    const o = await open('sample');
    await o.page.click('button[data-copy="replay-command"]');
    await o.page.waitForFunction(() => document.querySelector('button.copy')?.textContent !== 'Copy');
    expect(await o.page.textContent('button.copy')).to.match(/^(Copied|Selected: press Ctrl\+C)$/);
    expectQuiet(o);
    await o.page.close();
  });

  // The picture in docs/reading-the-report.md is refreshed only on request (UPDATE_SCREENSHOT=1), so a test
  // run never dirties the working tree; otherwise the shot goes to a temp file.
  it('sample: full-page screenshot at 1280 px for docs/reading-the-report.md', async () => {
    const o = await open('sample');
    const target = process.env.UPDATE_SCREENSHOT === '1' ? SCREENSHOT.pathname : path.join(os.tmpdir(), `ordinal-shot-${process.pid}.png`);
    const png = await o.page.screenshot({ path: target, fullPage: true });
    expect(png.length).to.be.greaterThan(50_000);
    expect(png.readUInt32BE(16), 'PNG width').to.equal(1280);
    await o.page.close();
  });
});
