// The traffic figures in the reports: the unacknowledged-writes strip in the round lane
// next to the kill, the round's availability line, the run row, and the GitHub summary.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { githubSummaryMarkdown } from '../../../lib/report/github.ts';
import { renderHtml } from '../../../lib/report/html.ts';
import { summarizeTraffic } from '../../../lib/traffic/availability.ts';
import type { WriteRecord } from '../../../lib/traffic/records.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';

const sample = (): RunResult =>
  JSON.parse(readFileSync(new URL('../../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;

function withTraffic(lostKey: boolean): RunResult {
  const r = sample();
  const writes: WriteRecord[] = [];
  // Round 1 (35.0 s – 39.46 s) kills web-1: its writes go unacknowledged from 35.5 s to 37.5 s.
  for (let t = 35_000, i = 1; t < 39_000; t += 250, i++) {
    for (const pod of ['web-0', 'web-1', 'web-2']) {
      const down = pod === 'web-1' && t >= 35_500 && t < 37_500;
      writes.push({ pod, key: `k-${pod}-${i}`, store: pod, sentMs: t, outcome: down ? 'failed' : 'acked' });
    }
  }
  const readBack = ['web-0', 'web-1', 'web-2'].map((pod) => ({
    store: pod,
    pod,
    keys: writes.filter((w) => w.pod === pod && w.outcome === 'acked' && !(lostKey && w.key === 'k-web-2-3')).map((w) => w.key),
  }));
  r.traffic = summarizeTraffic({ driver: 'web', ratePerSecond: 12, startedMs: 35_000, stoppedMs: 39_000, writes, readBack }, r.rounds);
  return r;
}

describe('report: traffic figures', () => {
  it("draws the unacknowledged interval in the killed pod's lane and states the longest one per round", () => {
    const html = renderHtml(withTraffic(false));
    const strip =
      /<g class="lane"[^>]*data-pod="web-1"[\s\S]*?<\/g><rect class="unavail"[^>]*><title>web-1: writes unacknowledged for 2\.00 s<\/title>/;
    expect(html).to.match(strip);
    expect(html).to.include('longest unavailable</span><b>2.00 s <span class="mono">web-1</span>');
    expect(html).to.include('writes unacknowledged</span>');
    expect(html).to.include('0 lost');
  });

  it('the run row and the GitHub summary show lost writes', () => {
    const r = withTraffic(true);
    expect(r.traffic?.counts.lost).to.equal(1);
    expect(renderHtml(r)).to.include('<b class="bad">1 lost</b>');
    const md = githubSummaryMarkdown(r);
    expect(md).to.include('### Traffic during chaos (web, 12/s)');
    expect(md).to.include('**1 lost**');
    expect(md).to.include('| 1 | 2.00 s | web-1 |');
  });

  it('says nothing about traffic when the run had none', () => {
    const r = sample();
    expect(githubSummaryMarkdown(r)).to.not.include('Traffic during chaos');
    expect(renderHtml(r)).to.not.include('class="unavail"');
  });
});
