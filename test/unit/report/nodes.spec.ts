import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { githubSummaryMarkdown } from '../../../lib/report/github.ts';
import { renderHtml } from '../../../lib/report/html.ts';
import { nodeMoves } from '../../../lib/report/stats.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';
import { renderTimeline } from '../../../lib/report/svg-timeline.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { RoundResult } from '../../../lib/model.ts';

const sample = (): RunResult =>
  JSON.parse(readFileSync(new URL('../../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;
import { buildWebInput } from '../helpers/timeline-builder.ts';

const NODES = ['node-a', 'node-b', 'node-c'];
const ring = (ordinal: number, generation: number): string => NODES[(ordinal + generation) % NODES.length] as string;
const first = (input: CheckInput): RoundResult => {
  const r = input.rounds[0];
  if (!r) throw new Error('no round');
  return r;
};
const laneOf = (svg: string, pod: string): string => {
  const at = svg.indexOf(`data-pod="${pod}"`);
  const next = svg.indexOf('<g class="lane"', at + 1);
  return svg.slice(at, next < 0 ? undefined : next);
};

describe('report: nodes in the round lanes', () => {
  it('names each generation’s node and marks a replacement that moved to another node', () => {
    const input = buildWebInput({ rounds: [[[1, 'delete']]], nodeOf: ring });
    const svg = renderTimeline(first(input), input.workload);
    const lane = laneOf(svg, 'web-1');
    expect(lane).to.match(/terminating \(old pod\) from [^<]* on node node-b/);
    expect(lane).to.match(/ready from [^<]* on node node-c/);
    expect(lane)
      .to.include('<text class="lane-node moved"')
      .and.include('>→ node-c<title>the killed pod ran on node-b; its replacement on node-c</title>');
    expect(lane).to.include('<g class="move">').and.include('web-1 moved: replacement on node node-c, the killed pod was on node-b');
    expect(laneOf(svg, 'web-0')).to.not.include('class="move"');
  });

  it('shows the node without a move mark when the replacement stayed on the same node', () => {
    const input = buildWebInput({ rounds: [[[1, 'delete']]] });
    const lane = laneOf(renderTimeline(first(input), input.workload), 'web-1');
    expect(lane).to.include('<text class="lane-node"').and.include('>ordinal-worker<title>on node ordinal-worker</title>');
    expect(lane).to.not.include('class="move"');
    expect(lane).to.not.include('class="node-down"');
  });

  it('draws the node-down interval of a node fault behind the lane, with the node named', () => {
    const input = buildWebInput({ rounds: [[[2, 'node-fault']]], nodeOf: ring });
    const round = first(input);
    const svg = renderTimeline(round, input.workload);
    const lane = laneOf(svg, 'web-2');
    expect(lane).to.match(/<rect class="node-down" x="[\d.]+" y="\d+" width="[\d.]+"/);
    expect(lane).to.match(/node node-c down from [^<]* after the kill, back [^<]* after the kill/);
    expect(laneOf(svg, 'web-1')).to.not.include('node-down');
    // Without a node-up the band runs to the round's end and says so.
    const open = structuredClone(round);
    const r = open.recoveries[0];
    if (r?.nodeDown) delete r.nodeDown.upMs;
    expect(laneOf(renderTimeline(open, input.workload), 'web-2')).to.include('not back within the round');
  });
});

describe('report: node moves and volume behaviour in the summaries', () => {
  it('counts replacements that landed on another node, over those with both nodes recorded', () => {
    const r = sample();
    expect(nodeMoves(r.rounds)).to.deep.equal({ moved: 2, known: 6 });
    expect(githubSummaryMarkdown(r)).to.include('Replacements on another node than the killed pod: **2** of 6.');
    // Older results carry no nodes: no line rather than "0 of 0".
    const old = structuredClone(r);
    for (const rec of old.rounds.flatMap((x) => x.recoveries)) {
      delete rec.fromNode;
      delete rec.toNode;
    }
    expect(githubSummaryMarkdown(old)).to.not.include('another node');
  });

  it("names the volume behaviour in the GitHub summary and the report's Cluster panel", () => {
    const r = { ...sample(), volumes: { kind: 'node-pinned' as const, pinned: { 'www-web-0': 'node-a' }, shared: [] } };
    expect(githubSummaryMarkdown(r)).to.include('Volumes: node-pinned volumes (PV spec.nodeAffinity): www-web-0 on node-a.');
    expect(renderHtml(r)).to.include('<dt>Volumes</dt><dd>node-pinned volumes (PV spec.nodeAffinity): www-web-0 on node-a</dd>');
    expect(renderHtml(sample())).to.not.include('<dt>Volumes</dt>');
  });
});
