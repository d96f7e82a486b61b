// minReadySeconds on the cluster's clock: the offset between the cluster and the harness
// is estimated from the timeline's cluster stamps (lib/timeline/cluster-clock.ts), so a
// recording whose cluster clock runs 2 s ahead of (or behind) the harness's gets the same
// verdicts as one whose clocks agree. Built and recorded timelines, shifted by ±2 s.
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { runChecks } from '../../../lib/checks/catalog.ts';
import { clusterClock, describeClusterClock, judgingOffset } from '../../../lib/timeline/cluster-clock.ts';
import { inOrder, readyMoment } from '../../../lib/timeline/queries.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput, uidOf } from '../helpers/timeline-builder.ts';
import { mutate } from '../helpers/timeline-edit.ts';

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');

/** The same recording as a cluster whose clock runs `ms` ahead of the harness's would stamp it. */
function clusterAhead(input: CheckInput, ms: number): CheckInput {
  return mutate(input, (d) => {
    for (const e of d.timeline) {
      if (e.type === 'MARKER' || e.kind !== 'Pod' || !e.pod) continue;
      if (e.pod.readySince) e.pod.readySince = iso(Date.parse(e.pod.readySince) + ms);
      if (e.pod.created) e.pod.created = iso(Date.parse(e.pod.created) + ms);
    }
  });
}

const statuses = (input: CheckInput): Record<string, string> => Object.fromEntries(runChecks(input).map((r) => [r.id, r.status]));

const fixture = (name: string, minReadySeconds: number): CheckInput => {
  const input = JSON.parse(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8')) as CheckInput;
  return mutate(input, (d) => {
    if (d.workload.options) d.workload.options.minReadySeconds = minReadySeconds;
  });
};

describe('the cluster clock: minReadySeconds judged on it', () => {
  it('bounds the offset with the stamps, contains the truth, and moves with the cluster clock', () => {
    const input = buildWebInput({ options: { minReadySeconds: 2 }, readyHoldMs: 2500 });
    const c = clusterClock(inOrder(input.timeline));
    expect(c.lo).to.be.at.most(0);
    expect(c.hi).to.be.at.least(0);
    expect(c.hi - c.lo, 'the truncation to seconds bounds the width').to.be.below(2000);
    for (const ms of [2000, -2000]) {
      const shifted = clusterClock(inOrder(clusterAhead(input, ms).timeline));
      expect([shifted.lo, shifted.hi]).to.deep.equal([c.lo + ms, c.hi + ms]);
    }
    expect(describeClusterClock(c)).to.match(
      /^cluster clock − harness clock: [+−]\d+ ± \d+ ms \(bounds [+−]\d+\.\.[+−]\d+ ms from \d+ cluster stamps; availability judged at [+−]\d+ ms\)$/,
    );
  });

  it('without an upper bound judges on the harness clock, or the lower bound when that is later', () => {
    expect(judgingOffset({ lo: -300, hi: Number.POSITIVE_INFINITY, samples: 1 })).to.equal(0);
    expect(judgingOffset({ lo: 1800, hi: Number.POSITIVE_INFINITY, samples: 1 })).to.equal(1800);
    expect(judgingOffset({ lo: -300, hi: 400, samples: 2 })).to.equal(400);
  });

  it('a cluster clock 2 s off would move Available by 2 s on the harness clock alone; the estimate takes it back', () => {
    const input = buildWebInput({ options: { minReadySeconds: 2 }, readyHoldMs: 2500 });
    const uid = uidOf('web-0', 0);
    const at = (i: CheckInput, offset?: number): number | undefined => {
      const entries = inOrder(i.timeline);
      return readyMoment(entries, 'web-0', uid, { from: -1, to: entries.length }, 2, undefined, offset)?.t;
    };
    const truth = at(input);
    const ahead = clusterAhead(input, 2000);
    expect(truth).to.be.a('number');
    expect(at(ahead, 0), 'on the harness clock alone Available comes 2 s late').to.equal((at(input, 0) ?? 0) + 2000);
    expect(at(ahead)).to.equal(truth);
  });

  for (const ms of [2000, -2000]) {
    it(`built timelines with the cluster clock ${ms > 0 ? 'ahead' : 'behind'} by 2 s: the same verdicts`, () => {
      const held = buildWebInput({ options: { minReadySeconds: 2 }, readyHoldMs: 2500 });
      expect(statuses(clusterAhead(held, ms))).to.deep.equal(statuses(held));
      const early = buildWebInput({ options: { minReadySeconds: 2 } });
      const r = resultOf(clusterAhead(early, ms), 'STS-ORDER-CREATE');
      expectFailure(r, 'web-1', 'web-0', 'not yet Available (minReadySeconds 2) on the cluster clock', 'cluster clock − harness clock');
      expect(statuses(clusterAhead(early, ms))).to.deep.equal(statuses(early));
    });

    it(`recorded timelines with minReadySeconds and the cluster clock ${ms > 0 ? 'ahead' : 'behind'} by 2 s: the same verdicts`, () => {
      for (const name of [
        'web-3x2-seed7-update-rollback.checkinput.json',
        'web-3x3-seed42.checkinput.json',
        'web-3x1-seed42-update-template-partition1.checkinput.json',
      ]) {
        for (const minReady of [1, 3]) {
          const input = fixture(name, minReady);
          expect(statuses(clusterAhead(input, ms)), `${name}, minReadySeconds ${minReady}`).to.deep.equal(statuses(input));
        }
      }
    });
  }
});
