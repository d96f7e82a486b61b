// The failing sub-history in the HTML report: built by the real STS-LINEARIZABLE check from
// a hand-built history, put into a recorded results.json, rendered. One row per process,
// the failing operation marked, and the run's disruptions on the same axis.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import type { CheckResult } from '../../../lib/checks/api.ts';
import type { HistoryEvent } from '../../../lib/history/events.ts';
import { renderHtml } from '../../../lib/report/html.ts';
import { disruptionSpans, renderSubHistory } from '../../../lib/report/svg-subhistory.ts';
import { LABEL_W, RIGHT_W, W } from '../../../lib/report/svg-lane.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';
import { resultOf } from '../helpers/assertions.ts';
import { history, r, type Spec, w } from '../helpers/history-builder.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const MS = 1_000_000;
// results-sample.json: round 3 kills web-0, web-1 and web-2 at t+56.02..56.04 s (Ready 4–9.6 s later);
// round 1 kills web-1 at t+35.04 s, Ready at t+38.955 s.
const sample = (): RunResult =>
  JSON.parse(readFileSync(new URL('../../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;

/** A stale read `startMs` into the run: write 1, write 2, then process 1 reads 1 through etcd-2; an info write overlaps it. */
function staleRead(startMs: number, opts: { clock?: boolean; key?: string } = {}): CheckResult {
  const t = (ms: number): number => (startMs + ms) * MS;
  const key = opts.key ?? 'x';
  const specs: Spec[] = [
    { p: 0, f: 'write', value: 1, call: t(0), ret: t(10), key, pod: 'etcd-0' },
    { p: 0, f: 'write', value: 2, call: t(20), ret: t(30), key, pod: 'etcd-0' },
    { p: 3, f: 'write', value: 3, call: t(35), key },
    { ...r(1, 1, t(40), t(55)), key, pod: 'etcd-2' },
    { ...w(2, 4, t(50), t(70)), key },
  ];
  const events: HistoryEvent[] = history(...specs);
  const input = buildWebInput();
  input.history = { workload: 'register', file: 'history.jsonl', events, ...(opts.clock === false ? {} : { clock: { ns: 0, runMs: 0 } }) };
  return resultOf(input, 'STS-LINEARIZABLE');
}

function render(check: CheckResult): string {
  const result = sample();
  result.checks = [...result.checks, check];
  return renderHtml(result);
}

const figureOf = (html: string): string => {
  const m = /<figure class="subhistory"[\s\S]*?<\/figure>/.exec(html);
  if (!m) throw new Error('no sub-history figure in the page');
  return m[0];
};

describe('report: failing sub-history', () => {
  it('draws one row per process, the failing read marked, under the failing check card', () => {
    const check = staleRead(57_000);
    expect(check.status).to.equal('failed');
    const html = render(check);
    const card = /<article class="check s-failed"[^>]*id="check-STS-LINEARIZABLE">[\s\S]*?<\/article>/.exec(html)?.[0] ?? '';
    const fig = figureOf(card);
    for (const p of [0, 1, 2, 3]) expect(fig).to.include(`>process ${p}</text>`);
    expect(fig.match(/class="op op-ok failing"/g)).to.have.length(1);
    expect(fig).to.match(/<g class="op op-ok failing" data-process="1">.*r 1 · etcd-2/);
    expect(fig).to.include('class="op op-ok writer" data-process="0"');
    expect(fig).to.include('class="op op-ok source" data-process="0"');
  });

  it('puts the disruptions that overlap the window on the same axis and says which one the read ran during', () => {
    const fig = figureOf(render(staleRead(57_000)));
    for (const pod of ['web-0', 'web-1', 'web-2']) expect(fig).to.include(`<g class="disruption" data-pod="${pod}">`);
    // Round 1's and 2's disruptions ended long before: not drawn.
    expect(fig.match(/class="disruption"/g)).to.have.length(3);
    expect(fig).to.include('It ran while <span class="mono">web-0</span> was out (delete, round 3)');
    expect(fig).to.include('seconds since the run started');
    expect(fig).to.include('pod disrupted, not Ready again yet').and.not.include('its node down');
  });

  it('names the last disruption before a read that no disruption overlapped', () => {
    const fig = figureOf(render(staleRead(42_000)));
    expect(fig).to.not.include('class="disruption"');
    expect(fig).to.include('the last one before it: <span class="mono">web-1</span> delete (round 1), Ready again 3.08 s before it');
  });

  it('draws an operation of unknown outcome open to the right edge', () => {
    const fig = figureOf(render(staleRead(57_000)));
    const info = /<g class="op op-info" data-process="3"><rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/.exec(fig);
    expect(info, 'the info write is drawn').to.not.equal(null);
    expect(Number(info?.[1]) + Number(info?.[2])).to.be.closeTo(W - RIGHT_W, 0.2);
  });

  it('without the clock, uses the history own axis and draws no disruption', () => {
    const check = staleRead(57_000, { clock: false });
    expect(check.subHistory?.axis).to.equal('history');
    const fig = figureOf(render(check));
    expect(fig).to.not.include('class="disruption"');
    expect(fig).to.include('not tied to the run clock');
    expect(fig).to.not.include('pod disrupted');
  });

  it('escapes a hostile key', () => {
    const fig = figureOf(render(staleRead(57_000, { key: '<img src=x onerror=alert(1)>' })));
    expect(fig).to.not.include('<img');
    expect(fig).to.include('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('keeps the window on the failing read when the writes it involves lie far back, clipped and labelled', () => {
    const input = buildWebInput();
    const events = history(
      { ...w(0, 1, 0, 10 * MS), pod: 'etcd-0' },
      { ...w(0, 2, 20_000 * MS, 20_010 * MS), pod: 'etcd-0' },
      { ...r(1, 1, 30_000 * MS, 30_015 * MS), pod: 'etcd-2' },
    );
    input.history = { workload: 'register', file: 'history.jsonl', events };
    const fig = resultOf(input, 'STS-LINEARIZABLE').subHistory;
    if (!fig) throw new Error('no figure');
    const svg = renderSubHistory(fig, []);
    const failing = /<g class="op op-ok failing" data-process="1"><rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/.exec(svg);
    expect(Number(failing?.[1]), 'the 15 ms read spans most of the plot').to.be.greaterThan((W - LABEL_W - RIGHT_W) * 0.8);
    expect(svg).to.include('class="op op-ok source clipped"').and.include('w 1 · etcd-0 ← sent 30.0 s before this window');
    expect(svg).to.include('class="op op-ok writer clipped"').and.include('w 2 · etcd-0 ← sent 10.00 s before this window');
  });

  it('maps rounds to disruption spans in run ms, refused kills left out, node-down intervals kept', () => {
    const result = sample();
    const spans = disruptionSpans(result.rounds);
    expect(spans.map((s) => s.pod)).to.deep.equal(['web-1', 'web-0', 'web-2', 'web-0', 'web-1', 'web-2']);
    expect(spans[0]).to.deep.include({ killMs: 35_040, readyMs: 38_955, endMs: 38_955, round: 1 });
    const round = structuredClone(result.rounds[0]!);
    round.recoveries = [
      { ...round.recoveries[0]!, readyMs: undefined, recovered: false, nodeDown: { node: 'n2', downMs: 100, upMs: 2000 } },
    ];
    round.recoveries.push({ ...round.recoveries[0]!, pod: 'web-2', expect: 'refused' });
    const [span, ...rest] = disruptionSpans([round]);
    expect(rest).to.deep.equal([]);
    expect(span).to.deep.include({ endMs: round.endedAt, nodeDown: { node: 'n2', fromMs: 35_140, toMs: 37_040 } });
    expect(span?.readyMs).to.equal(undefined);
    const fig = staleRead(35_500).subHistory;
    if (!fig) throw new Error('no figure');
    const svg = renderSubHistory(fig, [round]);
    expect(svg).to.include('<rect class="node-down"').and.include('node n2 down');
    // The kill at 35.04 s is before the window (35.5 s − padding): the band starts at the plot's left edge, no kill line.
    expect(svg).to.include(`<rect class="disruption-span" x="${LABEL_W.toFixed(1)}"`);
    expect(svg).to.not.include('<g class="kill">');
  });
});
