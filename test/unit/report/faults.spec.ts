// The node agent's faults in the report: a band behind each faulted pod's lane from the
// confirmation to the confirmed heal (any kind), the legend entry, the Faults section with
// the confirmation times, and the availability per fault kind.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { FaultSpan, RoundResult } from '../../../lib/model.ts';
import { githubSummaryMarkdown } from '../../../lib/report/github.ts';
import { renderHtml } from '../../../lib/report/html.ts';
import { faultTitle } from '../../../lib/report/svg-faults.ts';
import { LABEL_W, RIGHT_W, W } from '../../../lib/report/svg-lane.ts';
import { renderLegend, renderTimeline } from '../../../lib/report/svg-timeline.ts';
import type { FaultRecord, RunResult } from '../../../lib/run/results-schema.ts';
import { summarizeTraffic } from '../../../lib/traffic/availability.ts';
import type { WriteRecord } from '../../../lib/traffic/records.ts';

const sample = (): RunResult =>
  JSON.parse(readFileSync(new URL('../../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;
const roundOf = (r: RunResult, n: number): RoundResult => {
  const round = r.rounds.find((x) => x.plan.round === n);
  if (!round) throw new Error(`no round ${n} in the sample`);
  return round;
};
const laneOf = (svg: string, pod: string): string => {
  const at = svg.indexOf(`<g class="lane" data-ordinal="${pod.slice(-1)}" data-pod="${pod}"`);
  if (at < 0) throw new Error(`no lane for ${pod}`);
  return svg.slice(at, svg.indexOf('</g>', at));
};
/** The round's axis domain in ms, from its last tick label. */
const domainOf = (svg: string): number => {
  const labels = [...svg.matchAll(/class="tick-label"[^>]*>([\d.]+) s</g)].map((m) => Number(m[1]));
  return (labels.at(-1) ?? 0) * 1000;
};
const xAt = (ms: number, domain: number): number => LABEL_W + (ms / domain) * (W - LABEL_W - RIGHT_W);
const bandsIn = (svg: string): { kind: string; pod: string; x: number; y: number; width: number; title: string }[] =>
  [
    ...svg.matchAll(
      /<g class="fault" data-kind="([^"]*)" data-pod="([^"]*)"><rect class="fault-band" x="([\d.]+)" y="(\d+)" width="([\d.]+)"[^>]*\/><rect class="fault-bar"[^>]*\/><title>([^<]*)<\/title><\/g>/g,
    ),
  ].map((m) => ({ kind: m[1] ?? '', pod: m[2] ?? '', x: Number(m[3]), y: Number(m[4]), width: Number(m[5]), title: m[6] ?? '' }));

// Round 1 of the sample runs 35.0 s – 39.46 s and kills web-1.
const partition: FaultRecord = {
  kind: 'partition',
  round: 1,
  pod: 'web-1',
  node: 'node-b',
  peers: ['10.0.0.1', '10.0.0.3'],
  confirmedAtMs: 36_000,
  confirmMs: 2400,
  healedAtMs: 38_000,
  healConfirmMs: 700,
};

describe('report: fault bands and availability per fault kind', () => {
  it("draws a band behind the faulted pod's lane only, from the confirmation to the confirmed heal", () => {
    const round = roundOf(sample(), 1);
    const svg = renderTimeline(round, sample().workload, [], [partition]);
    const bands = bandsIn(svg);
    expect(bands.map((b) => `${b.kind} ${b.pod}`)).to.deep.equal(['partition web-1']);
    const domain = domainOf(svg);
    const band = bands[0];
    expect(band?.x).to.be.closeTo(xAt(1000, domain), 0.1);
    expect((band?.x ?? 0) + (band?.width ?? 0)).to.be.closeTo(xAt(3000, domain), 0.2);
    // Same rows as the lane it belongs to, drawn before (behind) the lanes.
    const laneY = Number(/y="(\d+)"/.exec(laneOf(svg, 'web-1').slice(laneOf(svg, 'web-1').indexOf('<text')))?.[1]);
    expect(band?.y)
      .to.be.below(laneY)
      .and.above(laneY - 30);
    expect(svg.indexOf('class="fault"')).to.be.below(svg.indexOf('<g class="lane"'));
    expect(band?.title).to.equal(
      'partition of web-1 on node node-b: confirmed 1.00 s into the round (2.40 s after the request); heal confirmed at 3.00 s (700 ms after it was asked), held 2.00 s',
    );
  });

  it("draws nothing for another round's fault, nor without faults", () => {
    const r = sample();
    expect(bandsIn(renderTimeline(roundOf(r, 2), r.workload, [], [partition]))).to.deep.equal([]);
    expect(renderTimeline(roundOf(r, 1), r.workload)).to.not.include('class="fault"');
  });

  it('draws any kind, on every pod it names; one never healed runs to the end of the axis and says so', () => {
    const r = sample();
    const full: FaultSpan = { kind: 'disk-full', round: 2, pods: ['web-0', 'web-2'], confirmedAtMs: 46_000 };
    const svg = renderTimeline(roundOf(r, 2), r.workload, [], [full]);
    const bands = bandsIn(svg);
    expect(bands.map((b) => `${b.kind} ${b.pod}`)).to.deep.equal(['disk-full web-0', 'disk-full web-2']);
    expect((bands[0]?.x ?? 0) + (bands[0]?.width ?? 0)).to.be.closeTo(W - RIGHT_W, 0.2);
    expect(bands[0]?.title).to.equal('disk-full of web-0: confirmed 1.50 s into the round; its heal never confirmed within the round');
  });

  it('escapes what it draws', () => {
    const r = sample();
    const hostile: FaultSpan = { kind: '<script>x</script>', round: 1, pod: 'web-1', confirmedAtMs: 36_000, healedAtMs: 37_000 };
    const svg = renderTimeline(roundOf(r, 1), r.workload, [], [hostile]);
    expect(svg).to.not.include('<script>');
    expect(svg).to.include('data-kind="&lt;script&gt;x&lt;/script&gt;"');
    expect(faultTitle(hostile, 'web-1', 35_000)).to.match(/^<script>x<\/script> of web-1: /);
  });

  it('lists the fault band in the legend only when the run held faults, naming the kinds', () => {
    expect(renderLegend()).to.not.include('swatch-fault');
    expect(renderLegend(['partition', 'loss'])).to.include('<span class="swatch swatch-fault"></span>fault held (partition, loss)');
  });

  it('the HTML report has the Faults section with confirmation times, and availability per kind from the traffic', () => {
    const r = sample();
    r.faults = [partition];
    const writes: WriteRecord[] = [];
    for (let t = 35_000, i = 0; t < 39_000; t += 250, i++)
      for (const pod of ['web-0', 'web-1', 'web-2'])
        writes.push({
          pod,
          key: `k-${pod}-${i}`,
          store: pod,
          sentMs: t,
          outcome: pod === 'web-1' && t >= 36_000 && t < 37_000 ? 'failed' : 'acked',
        });
    const readBack = ['web-0', 'web-1', 'web-2'].map((pod) => ({
      store: pod,
      pod,
      keys: writes.filter((w) => w.pod === pod && w.outcome === 'acked').map((w) => w.key),
    }));
    r.traffic = summarizeTraffic({ driver: 'web', startedMs: 35_000, stoppedMs: 39_000, writes, readBack }, r.rounds, r.faults);
    const html = renderHtml(r);
    expect(html).to.include('<section id="faults"><h2>Faults (1)</h2>');
    expect(html).to.match(
      /<tr data-kind="partition"><td class="mono">partition<\/td><td>1<\/td><td class="mono">web-1<\/td><td>node-b<\/td><td class="t">t\+36\.000 s<\/td><td>2\.40 s<\/td><td>2\.00 s<\/td><td>700 ms<\/td><\/tr>/,
    );
    // 8 sends x 3 pods in the 2 s window; web-1's 4 in the first second failed; its gap was 1 s.
    expect(html).to.match(
      /<table id="availability-by-fault">[\s\S]*<td class="mono">partition<\/td><td>1<\/td><td>20\/24 \(83\.3%\)<\/td><td>4\/8 \(50\.0%\)<\/td><td>1\.00 s<\/td><td>1\.00 s<\/td><td>1\.00 s<\/td>/,
    );
    expect(bandsIn(html).map((b) => b.pod)).to.deep.equal(['web-1']);
    expect(html).to.include('swatch-fault');
    expect(githubSummaryMarkdown(r)).to.include('| partition | 1 | 20/24 (83.3%) | 4/8 (50.0%) | 1.00 s | 1.00 s | 1.00 s |');
  });

  it("says which disk-full confirmations were the agent's write, its container down", () => {
    const r = sample();
    const disk: FaultRecord = {
      kind: 'disk-full',
      round: 1,
      pod: 'web-1',
      node: 'node-b',
      path: '/data',
      sizeKiB: 250_000,
      confirmedAtMs: 36_000,
      confirmMs: 2400,
      healedAtMs: 38_000,
      healConfirmMs: 700,
    };
    r.faults = [disk, { ...disk, round: 2, healConfirmedBy: 'agent' }];
    const rows = renderHtml(r).match(/<tr data-kind="disk-full">.*?<\/tr>/g) ?? [];
    expect(rows).to.have.length(2);
    expect(rows[0]).to.not.include('by the agent');
    expect(rows[1]).to.match(/<td>2\.40 s<\/td><td>2\.00 s<\/td><td>700 ms <span class="sub"[^>]*>by the agent<\/span><\/td>/);
  });

  it('has no Faults section when the run held none; says so when faults ran without traffic', () => {
    expect(renderHtml(sample())).to.not.include('id="faults"');
    expect(githubSummaryMarkdown(sample())).to.not.include('Fault kind');
    const r = sample();
    r.faults = [partition];
    expect(renderHtml(r)).to.include('No traffic ran while a fault was held');
  });
});
