// The search's stranding cut (lib/checkers/owed.ts): verdicts it must not change on
// hand-built histories where a careless cut would (a value written again later, the
// initial null, an info cas that did match), and what it buys on a key whose info writes
// are read long after their call. Its soundness at large is the Porcupine and brute-force
// agreement tests, which run through it (checkRegister searches with the cut).
import { expect } from 'chai';
import { generate } from '../../../bench/history-gen.ts';
import { checkRegister } from '../../../lib/checkers/linearizable.ts';
import { prune } from '../../../lib/checkers/prune.ts';
import { Interner, registerOps } from '../../../lib/checkers/register.ts';
import { search } from '../../../lib/checkers/search.ts';
import type { Operation } from '../../../lib/history/events.ts';
import { pair } from '../../../lib/history/pair.ts';
import { cas, history, r, type Spec, w } from '../helpers/history-builder.ts';

const both = (specs: Spec[]) => {
  const columns = prune(registerOps(pair(history(...specs)), new Interner()));
  const budget = () => ({ steps: 1_000_000, deadline: Number.POSITIVE_INFINITY });
  return [search(columns, 0, budget(), true), search(columns, 0, budget(), false)];
};

const soakLike = (processes: number, anomaly?: 'stale-read'): Operation[] =>
  pair(
    generate({
      seed: 1,
      operations: 700,
      processes,
      keys: 1,
      infoRate: 0.6,
      latePending: 0.6,
      lateCas: 0.6,
      infoReads: false,
      ...(anomaly ? { anomaly } : {}),
    }).events,
  );

describe('owed: the stranding cut changes no verdict', function () {
  const cases: [string, boolean, Spec[]][] = [
    ['a value left while a later write of it remains', true, [w(0, 1, 0, 10), w(1, 2, 20, 30), w(2, 1, 40, 50), r(3, 1, 60, 70)]],
    ['a read of null overlapping the first write', true, [w(0, 1, 0, 100), r(1, null, 50, 60), r(2, 1, 110, 120)]],
    ['an info cas that matched and is read', true, [w(0, 1, 0, 10), cas(1, 1, 2, 20, 30, 'info'), r(2, 2, 40, 50)]],
    ['an info cas that did not match, beside reads', true, [w(0, 1, 0, 10), cas(1, 5, 6, 5, 30, 'info'), r(2, 1, 40, 50), r(3, 1, 60, 70)]],
    [
      'an info write read long after, writes between its call and the read',
      true,
      [w(0, 9, 0, 5, 'info'), w(1, 1, 10, 20), r(2, 1, 30, 40), w(3, 2, 50, 60), r(4, 2, 70, 80), r(5, 9, 500, 510)],
    ],
    ['a stale read', false, [w(0, 1, 0, 10), w(1, 2, 20, 30), r(2, 1, 40, 50)]],
    ['a value read again after it was overwritten', false, [w(0, 1, 0, 10), r(1, 1, 20, 30), w(2, 2, 40, 50), r(3, 1, 60, 70)]],
    ['a lost update', false, [w(0, 1, 0, 10), cas(1, 1, 2, 20, 40), cas(2, 1, 3, 25, 45), r(0, 3, 50, 60)]],
    [
      'an info write taking effect twice',
      false,
      [w(0, 1, 0, 10), w(1, 2, 20, 30, 'info'), r(2, 2, 100, 110), w(3, 3, 120, 130), r(2, 2, 140, 150)],
    ],
  ];
  for (const [what, valid, specs] of cases) {
    it(`${what}: ${valid ? 'linearizable' : 'not linearizable'} with the cut and without`, () => {
      expect(both(specs).map((r) => r.valid)).to.deep.equal([valid, valid]);
    });
  }

  it('names the same operation, value and writer as the plain search where both refute', () => {
    for (const [, valid, specs] of cases) {
      if (valid) continue;
      const [cut, plain] = both(specs);
      expect(cut).to.deep.include({ valid: false });
      if (cut?.valid !== false || plain?.valid !== false) continue;
      expect([cut.blocked, cut.states, cut.writer]).to.deep.equal([plain.blocked, plain.states, plain.writer]);
    }
  });
});

describe('owed: what it buys on info writes read long after their call', function () {
  it('decides a soak-shaped key (700 operations, 10 processes, 28 % info) the plain search cannot in 1 M steps', () => {
    const ops = soakLike(10);
    const plain = search(prune(registerOps(ops, new Interner())), 0, { steps: 1_000_000, deadline: Number.POSITIVE_INFINITY }, false);
    expect(plain.valid).to.equal('unknown');
    const result = checkRegister(ops, { maxSteps: 1_000_000 });
    expect(result.valid).to.equal(true);
    expect(result.steps).to.be.lessThan(200_000);
  });

  it('refutes the same key with a stale read planted; the verdict stands when the plain search cannot name the read', () => {
    const ops = soakLike(10, 'stale-read');
    const result = checkRegister(ops, { maxSteps: 5_000_000 });
    if (result.valid !== false) expect.fail(JSON.stringify({ ...result, failing: undefined }));
    // The cut refuted it; the plain search got its own million steps for the report and ran
    // out, so the report names what the cut stopped at: a read or cas, never the write the
    // cut refused (STS-LINEARIZABLE's report describes reads and cas).
    expect(result.steps).to.be.greaterThan(1_000_000).and.lessThan(1_500_000);
    expect(ops).to.include(result.failing.op);
    expect(result.failing.op.type).to.equal('ok');
    expect(['read', 'cas']).to.include(result.failing.op.f);
  });
});
