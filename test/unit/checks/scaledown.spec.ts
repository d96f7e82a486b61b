import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { TimelineEntry } from '../../../lib/timeline/entries.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';
import { mutate } from '../helpers/timeline-edit.ts';

const ID = 'STS-ORDER-SCALEDOWN';
const good = buildWebInput();

const isPod = (e: TimelineEntry, name: string): boolean => e.type !== 'MARKER' && e.kind === 'Pod' && e.name === name;
const afterScaleDown = (d: CheckInput): TimelineEntry[] => {
  const i = d.timeline.findIndex((e) => e.type === 'MARKER' && e.marker === 'scale-down');
  return d.timeline.slice(i);
};

/** Rewrites the scale-down window so `pod`'s entries come first (keeping seq/t order valid). */
function terminateFirst(input: CheckInput, pod: string): CheckInput {
  return mutate(input, (d) => {
    const i = d.timeline.findIndex((e) => e.type === 'MARKER' && e.marker === 'scale-down');
    const window = d.timeline.slice(i + 1, -1);
    const mine = window.filter((e) => isPod(e, pod));
    const rest = window.filter((e) => !isPod(e, pod));
    const reordered = [...mine, ...rest];
    window.forEach((slot, k) => {
      const moved = reordered[k] as TimelineEntry;
      d.timeline[i + 1 + k] = { ...moved, seq: slot.seq, t: slot.t, wall: slot.wall };
    });
  });
}

describe(ID, () => {
  it('passes when the highest ordinal is removed first and the next only after it is gone', () => {
    const r = resultOf(good, ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include('web-2, web-1 removed highest first');
  });

  it('fails when the lower ordinal is terminated first', () => {
    const r = resultOf(terminateFirst(good, 'web-1'), ID);
    expectFailure(r, 'web-1 began terminating', 'before web-2 was gone');
    expect(r.evidence[0]).to.include({ subject: 'pod web-1' });
  });

  it('fails when two pods terminate at once (the next starts before the previous is gone)', () => {
    const bad = mutate(good, (d) => {
      // web-1's deletion timestamp appears right after web-2's, before web-2 is gone.
      const w = afterScaleDown(d);
      const web1Term = w.find((e) => isPod(e, 'web-1') && e.type === 'MODIFIED' && e.pod?.deletionTimestamp);
      const web2Term = w.find((e) => isPod(e, 'web-2') && e.type === 'MODIFIED' && e.pod?.deletionTimestamp);
      if (!web1Term || !web2Term) throw new Error('builder changed');
      web1Term.t = web2Term.t + 1;
      d.timeline.sort((a, b) => a.t - b.t || a.seq - b.seq);
      d.timeline.forEach((e, k) => {
        e.seq = k + 1;
      });
    });
    expectFailure(resultOf(bad, ID), 'web-1 began terminating', 'before web-2 was gone');
  });

  it('fails when a remaining pod is not Ready for the whole window before a deletion, naming it', () => {
    // web-0 (which stays) goes not ready before the scale-down and stays so: web-2 must not be deleted.
    const bad = mutate(good, (d) => {
      const i = d.timeline.findIndex((e) => e.type === 'MARKER' && e.marker === 'scale-down');
      for (const e of d.timeline.slice(i - 3)) if (isPod(e, 'web-0') && e.type !== 'MARKER' && e.pod) e.pod.ready = false;
      const web0 = d.timeline.slice(0, i).findLast((e) => isPod(e, 'web-0'));
      if (!web0 || web0.type === 'MARKER' || !web0.pod) throw new Error('builder changed');
      d.timeline.splice(i, 0, { ...web0, type: 'MODIFIED', pod: { ...web0.pod, ready: false } });
      d.timeline.forEach((e, k) => {
        e.seq = k + 1;
      });
    });
    const r = resultOf(bad, ID);
    expectFailure(r, 'web-2 began terminating', 'the remaining pods were never all Ready: web-0 (Running, not ready');
    expect(r.evidence.find((e) => e.subject === 'pod web-2')?.expected).to.match(
      /^web-0 Running and Ready at some moment between the scale-down was requested/,
    );
  });

  it('passes when a remaining pod regresses only after an all-Ready moment (informer race)', () => {
    const raced = mutate(good, (d) => {
      // web-0 flaps not-ready just before web-1's deletion starts, after being Ready since web-2 was gone.
      const w = afterScaleDown(d);
      const web1Term = w.find((e) => isPod(e, 'web-1') && e.type === 'MODIFIED' && e.pod?.deletionTimestamp);
      const web0 = d.timeline.findLast((e) => isPod(e, 'web-0'));
      if (!web1Term || !web0 || web0.type === 'MARKER' || !web0.pod) throw new Error('builder changed');
      d.timeline.splice(d.timeline.indexOf(web1Term), 0, { ...web0, type: 'MODIFIED', t: web1Term.t, pod: { ...web0.pod, ready: false } });
      d.timeline.forEach((e, k) => {
        e.seq = k + 1;
      });
    });
    const r = resultOf(raced, ID);
    expect(r.status, r.message).to.equal('passed');
  });

  it('fails when a pod above the target is never removed', () => {
    const bad = mutate(good, (d) => {
      d.timeline = d.timeline.filter((e, k, all) => {
        const start = all.findIndex((x) => x.type === 'MARKER' && x.marker === 'scale-down');
        return !(k > start && isPod(e, 'web-1'));
      });
      d.timeline.forEach((e, k) => {
        e.seq = k + 1;
      });
    });
    expectFailure(resultOf(bad, ID), 'web-1 was not removed by the scale-down to 1');
  });

  it('is skipped when the run did not scale down, and for Parallel', () => {
    expect(resultOf(buildWebInput({ scaleDownTo: null }), ID).status).to.equal('skipped');
    expect(resultOf(buildWebInput({ podManagementPolicy: 'Parallel' }), ID).status).to.equal('skipped');
  });
});

describe(`${ID} when the harness could not finish the scale-down`, () => {
  it('is an error naming the reason, not a failure of the cluster', () => {
    const bad = mutate(good, (d) => {
      const m = d.timeline.find((e) => e.type === 'MARKER' && e.marker === 'scale-down-complete');
      if (m?.type === 'MARKER' && m.marker === 'scale-down-complete') m.aborted = 'cannot scale StatefulSet web: Forbidden (HTTP 403)';
    });
    const r = resultOf(bad, ID);
    expect(r.status).to.equal('error');
    expect(r.message).to.include('Forbidden (HTTP 403)');
  });
});
