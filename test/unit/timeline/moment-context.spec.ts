// A broken guarantee right after a control-plane outage says so: the recorded
// case rebuilt (API server down 75 s, the node lifecycle controller marks every pod's
// node NotReady as it comes back, the kubelets report Ready again only later, and the
// controller replaces web-2 for the update while web-0 and web-1 are still NotReady in
// the API). STS-UPDATE-ORDER still fails; its evidence names the gap, the NotReady
// markings and how stale the deciding states were, and the report links the two.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { renderHtml } from '../../../lib/report/html.ts';
import { AFTERMATH_MS, momentContext } from '../../../lib/timeline/moment-context.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';
import type { TimelineEntry } from '../../../lib/timeline/entries.ts';
import { resultOf } from '../helpers/assertions.ts';
import { mutate } from '../helpers/timeline-edit.ts';
import { NEW, UpdateScript } from '../helpers/update-builder.ts';

const ORDER = 'STS-UPDATE-ORDER';

/** A NodeNotReady event on `pod`, as the node lifecycle controller records it when it marks the pod not Ready. */
function nodeNotReady(s: UpdateScript, pod: string): void {
  s.tick(5);
  const last = s.input.timeline.at(-1) as TimelineEntry;
  s.input.timeline.push({
    seq: last.seq + 1,
    t: s.t,
    wall: last.wall + (s.t - last.t),
    type: 'ADDED',
    kind: 'Event',
    name: `${pod}.nnr`,
    resourceVersion: String(9000 + last.seq),
    event: { uid: `ev-${pod}`, reason: 'NodeNotReady', message: 'Node is not ready', type: 'Warning', involved: `Pod/${pod}` },
  });
}

/** The outage: the pod watch down 75 s, then every pod marked NotReady; returns when the watch came back. */
function outage(s: UpdateScript): { gapTo: number } {
  const from = s.t;
  s.tick(75_000);
  s.gap(from, s.t);
  const gapTo = s.t;
  for (const k of [0, 1, 2]) {
    nodeNotReady(s, `web-${k}`);
    s.pod('MODIFIED', `web-${k}`, { ready: false });
  }
  return { gapTo };
}

function afterOutage(): { input: CheckInput; gapTo: number; markedAt: number } {
  const s = new UpdateScript();
  const { gapTo } = outage(s);
  const markedAt = s.t;
  // The seeded template update goes out once the API is back, while the pods are still marked NotReady.
  s.tick(50_000).start('forward').tick(100).revision('forward', NEW);
  s.tick(6_000).replace(2, NEW);
  for (const k of [0, 1]) s.readyNow(k);
  s.tick(200).replace(1, NEW).tick(200).replace(0, NEW).complete('forward');
  return { input: s.input, gapTo, markedAt };
}

describe('a failing moment in the aftermath of an outage', () => {
  it('STS-UPDATE-ORDER still fails, and its evidence names the gap, the NotReady markings and the stale states', () => {
    const { input } = afterOutage();
    const r = resultOf(input, ORDER);
    expect(r.status, r.message).to.equal('failed');
    expect(r.message).to.include('in the aftermath of a watch gap and nodes marked NotReady');
    const e = r.evidence.find((x) => x.subject === 'pod web-2' && x.context);
    const text = (e?.context ?? []).join('\n');
    expect(text).to.match(/after a Pod watch gap: down for 75\.0 s/);
    expect(text).to.include('marked NotReady by the node lifecycle controller (NodeNotReady on web-');
    expect(text).to.match(/web-0's state in the API was 56\.\d s old \(not Ready/);
    expect(text).to.match(/web-1's state in the API was 56\.\d s old/);
    expect(text).not.to.include("web-2's state");
  });

  it("names every node NotReady at once when the run's pods span several nodes, and not for one node", () => {
    const { input, markedAt } = afterOutage();
    const spread = mutate(input, (d) => {
      for (const e of d.timeline) if (e.type !== 'MARKER' && e.kind === 'Pod' && e.pod?.node) e.pod.node = `node-${e.name.split('-')[1]}`;
    });
    const c = momentContext(spread.timeline, spread.workload, markedAt + 1000);
    expect(c.kinds).to.include('all-nodes-not-ready');
    expect(c.lines.join('\n'))
      .to.include("every node hosting the run's pods (node-0, node-1, node-2) was NotReady at once")
      .and.include('master disruption mode');
    const one = momentContext(input.timeline, input.workload, markedAt + 1000);
    expect(one.kinds).to.deep.equal(['watch-gap', 'node-not-ready']);
  });

  it('says nothing for a moment before the outage or long after everything recovered', () => {
    const { input, gapTo } = afterOutage();
    expect(momentContext(input.timeline, input.workload, 10).lines).to.deep.equal([]);
    const last = input.timeline.at(-1)?.t ?? 0;
    expect(momentContext(input.timeline, input.workload, Math.max(last, gapTo) + AFTERMATH_MS + 1).lines).to.deep.equal([]);
  });

  it('a failure without an outage gets no context', () => {
    const s = new UpdateScript();
    s.start('forward').tick(100).revision('forward', NEW);
    s.terminate(1);
    s.tick(100).replace(2, NEW).recreate(1, NEW).tick(200).replace(0, NEW).complete('forward');
    const r = resultOf(s.input, ORDER);
    expect(r.status, r.message).to.equal('failed');
    expect(r.message).not.to.include('aftermath');
    expect(r.evidence.some((e) => e.context)).to.equal(false);
  });

  it("the report's Observation panel links the failing moment to its check, and the evidence links back", () => {
    const { input } = afterOutage();
    const check = { ...resultOf(input, ORDER) };
    const sample = JSON.parse(readFileSync(new URL('../../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;
    const html = renderHtml({ ...sample, checks: [...sample.checks.filter((c) => c.id !== ORDER), check] });
    const panel = /<section class="panel" id="observation">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
    expect(panel).to.include('id="observation-aftermath"').and.include(`<a href="#check-${ORDER}">${ORDER}</a>`).and.include('watch gap');
    expect(html).to.include(`id="check-${ORDER}"`);
    expect(html).to.include('<tr class="context"><td colspan="5">Context (<a href="#observation-aftermath">Observation</a>)');
  });
});
