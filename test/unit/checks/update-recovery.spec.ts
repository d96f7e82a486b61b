// The update phase as the existing checks see it, on runs recorded on the local cluster
// (test/fixtures/*update*): STS-RECOVERY judges a pod below the partition against the old
// revision and excuses the controller's (or the operator's) update replacements, and only
// those; STS-ORDER-RECREATE judges the update's recreations with the causal rule.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { MarkerEntry, TimelineEntry } from '../../../lib/timeline/entries.ts';
import { replacedByUpdate, updateStartBefore, updateSteps } from '../../../lib/timeline/update.ts';
import { inOrder, podGenerations } from '../../../lib/timeline/queries.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { mutate } from '../helpers/timeline-edit.ts';

const load = (name: string): CheckInput =>
  JSON.parse(readFileSync(new URL(`../../fixtures/${name}.checkinput.json`, import.meta.url), 'utf8')) as CheckInput;
const PARTITION = 'web-3x1-seed42-update-template-partition1';
const ONDELETE = 'web-3x1-seed7-update-image-ondelete';
const markerOf = (input: CheckInput, name: string): MarkerEntry =>
  input.timeline.find((e) => e.type === 'MARKER' && e.marker === name) as MarkerEntry;
const isMarker = (e: TimelineEntry, name: string, pod?: string): boolean =>
  e.type === 'MARKER' && e.marker === name && (pod === undefined || (e as { pod?: string }).pod === pod);

describe('the update phase under the existing checks (recorded runs)', () => {
  it('the partition run: web-0 killed and recreated at the old revision, web-1 and web-2 replaced by the controller: STS-RECOVERY and STS-ORDER-RECREATE pass', () => {
    const input = load(PARTITION);
    const start = markerOf(input, 'round-start') as Extract<MarkerEntry, { marker: 'round-start' }>;
    expect(start.revisions).to.have.keys(['web-0']);
    const r = resultOf(input, 'STS-RECOVERY');
    expect(r.status, r.message).to.equal('passed');
    expect(r.evidence.find((e) => e.subject === 'pod web-0')?.observed).to.include(`at revision ${start.revisions?.['web-0']}`);
    expect(resultOf(input, 'STS-ORDER-RECREATE').status).to.equal('passed');
  });

  it('without the per-pod revision, web-0 (below the partition) would be judged against the new revision and fail', () => {
    const planted = mutate(load(PARTITION), (d) => {
      for (const e of d.timeline) if (e.type === 'MARKER' && e.marker === 'round-start') delete e.revisions;
    });
    expectFailure(resultOf(planted, 'STS-RECOVERY'), 'web-0');
  });

  it('a replacement the update does not explain still fails: web-0 below the partition replaced without its kill marker', () => {
    const planted = mutate(load(PARTITION), (d) => {
      d.timeline = d.timeline.filter((e) => !isMarker(e, 'kill', 'web-0'));
    });
    expectFailure(resultOf(planted, 'STS-RECOVERY'), 'web-0 was not killed but its pod');
  });

  it("without the update markers the controller's replacement of web-2 is an unexplained one", () => {
    const planted = mutate(load(PARTITION), (d) => {
      d.timeline = d.timeline.filter((e) => !isMarker(e, 'update-start'));
    });
    expectFailure(resultOf(planted, 'STS-RECOVERY'), 'web-2 was not killed but its pod');
  });

  it('OnDelete: the operator-deleted web-1 is excused by its operator-delete marker, and only by it', () => {
    const input = load(ONDELETE);
    expect(resultOf(input, 'STS-RECOVERY').status).to.equal('passed');
    const planted = mutate(input, (d) => {
      d.timeline = d.timeline.filter((e) => !isMarker(e, 'operator-delete'));
    });
    expectFailure(resultOf(planted, 'STS-RECOVERY'), 'web-1 was not killed but its pod');
  });

  it("updateSteps and replacedByUpdate: the step spans update-start..update-complete; a pod at the step's revision is never the update's", () => {
    const entries = inOrder(load(PARTITION).timeline);
    const steps = updateSteps(entries);
    expect(steps).to.have.length(1);
    const [step] = steps;
    expect(step?.to).to.be.a('string');
    expect(step?.complete?.converged).to.equal(true);
    const gens = podGenerations(entries);
    const w = load(PARTITION).workload;
    const web2 = gens.get('web-2') ?? [];
    const old = web2.find((g) => g.last.pod.revision !== step?.to && g.terminating);
    const fresh = web2.find((g) => g.last.pod.revision === step?.to);
    expect(old && replacedByUpdate(entries, steps, w, old, old.terminating?.index ?? 0)).to.equal(true);
    expect(fresh && replacedByUpdate(entries, steps, w, fresh, (step?.startIdx ?? 0) + 1)).to.equal(false);
    const roundStart = entries.findIndex((e) => isMarker(e, 'round-start'));
    expect(updateStartBefore(entries, roundStart)).to.equal(step?.startIdx);
  });
});
