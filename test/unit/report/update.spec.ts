// The update phase in the HTML report's round lanes: a band per update step that began
// with the round, from update-start (clamped to the round's start) to update-complete.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { renderTimeline } from '../../../lib/report/svg-timeline.ts';
import { renderHtml } from '../../../lib/report/html.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { RoundResult } from '../../../lib/model.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';
import { stepSpans } from '../../../lib/timeline/update.ts';

const input = JSON.parse(
  readFileSync(new URL('../../fixtures/web-3x2-seed7-update-rollback.checkinput.json', import.meta.url), 'utf8'),
) as CheckInput;

describe('report: update steps in the round lanes', () => {
  it('the recorded rollback run: round 1 has the forward step, round 2 the rollback, each a band with its times', () => {
    const spans = stepSpans(input.timeline, 0);
    expect(spans.map((s) => [s.step, s.converged])).to.deep.equal([
      ['forward', true],
      ['rollback', true],
    ]);
    for (const s of spans) expect(s.endMs).to.be.greaterThan(s.startMs);
    const [r1, r2] = input.rounds as [RoundResult, RoundResult];
    const svg1 = renderTimeline({ ...r1, updates: [spans[0] as NonNullable<RoundResult['updates']>[number]] }, input.workload);
    expect(svg1).to.match(/<g class="update" data-step="forward"><rect class="update-span" x="130\.0" y="8" width="[\d.]+"/);
    expect(svg1).to.include('<title>update forward step: 0 ms to ');
    const svg2 = renderTimeline({ ...r2, updates: [spans[1] as NonNullable<RoundResult['updates']>[number]] }, input.workload);
    expect(svg2).to.include('data-step="rollback"');
  });

  it("a step that never completed runs to the round's end, and a round without one has no band", () => {
    const [r1] = input.rounds as [RoundResult];
    const open = renderTimeline({ ...r1, updates: [{ step: 'forward', startMs: r1.startedAt, converged: false }] }, input.workload);
    expect(open).to.include('the round&#39;s end, never complete');
    expect(renderTimeline({ ...r1 }, input.workload)).to.not.include('class="update"');
  });

  it('the Workload & run panel names the update phase as resolved; older results show no row', () => {
    const sample = JSON.parse(readFileSync(new URL('../../fixtures/results-sample.json', import.meta.url), 'utf8')) as RunResult;
    expect(renderHtml(sample)).to.not.include('<dt>Update</dt>');
    const seeded = { ...sample, options: { ...sample.options, update: { mode: 'rollback', round: 2, chosenBy: 'seed' } } } as RunResult;
    expect(renderHtml(seeded)).to.include('<dt>Update</dt><dd>rollback at round 2 <span class="sub">· chosen by the seed</span></dd>');
    const target = {
      ...sample,
      options: {
        ...sample.options,
        update: { mode: 'none', chosenBy: 'seed', note: "the seed chose image, but a --target run never changes the user's StatefulSet" },
      },
    } as RunResult;
    expect(renderHtml(target)).to.include(
      '<dd><span class="sub">none: the seed chose image, but a --target run never changes the user&#39;s StatefulSet</span></dd>',
    );
  });
});
