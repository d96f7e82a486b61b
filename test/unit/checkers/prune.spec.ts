// The pre-pass that sets unobserved info writes and cas aside (lib/checkers/prune.ts): it
// drops exactly those no operation can observe, never one a read or a cas depends on, and
// the verdicts stay right on the histories where a naive rule (only reads observe, or only
// acknowledged operations do) would drop an operation the only linearization needs.
import { expect } from 'chai';
import { generate } from '../../../bench/history-gen.ts';
import { checkRegister, type LinearizabilityResult } from '../../../lib/checkers/linearizable.ts';
import { prune, unobserved } from '../../../lib/checkers/prune.ts';
import { Interner, registerOps } from '../../../lib/checkers/register.ts';
import { search } from '../../../lib/checkers/search.ts';
import { pair } from '../../../lib/history/pair.ts';
import { cas, history, r, type Spec, w } from '../helpers/history-builder.ts';

const columns = (...specs: Spec[]) => registerOps(pair(history(...specs)), new Interner());
const check = (...specs: Spec[]): LinearizabilityResult => checkRegister(pair(history(...specs)));
/** The values of the operations the pre-pass drops. */
const dropped = (...specs: Spec[]) => {
  const ops = columns(...specs);
  const drop = unobserved(ops);
  return ops.source.filter((_, i) => drop[i] === 1).map((o) => o.value);
};

describe('prune: which info writes and cas are set aside', function () {
  it('an info write nobody reads or expects, and an info cas whose new value nobody sees', () => {
    expect(dropped(w(0, 1, 0, 10), w(1, 2, 20, 30, 'info'), cas(2, 1, 3, 40, 50, 'info'), r(3, 1, 60, 70))).to.deep.equal([2, [1, 3]]);
  });

  it('not an info write whose value is read, even by a read called before it', () => {
    expect(dropped(r(0, 2, 0, 100), w(1, 2, 10, 20, 'info'))).to.deep.equal([]);
  });

  it('not an info write whose value an acknowledged cas expects', () => {
    expect(dropped(w(1, 2, 20, 30, 'info'), cas(2, 2, 3, 40, 50))).to.deep.equal([]);
  });

  it('a chain: the info cas goes first, then the info write only it expected', () => {
    expect(dropped(w(1, 2, 20, 30, 'info'), cas(2, 2, 3, 40, 50, 'info'), cas(3, 3, 4, 60, 70, 'info'))).to.deep.equal([2, [2, 3], [3, 4]]);
  });

  it('a chain whose end is read keeps every link', () => {
    expect(dropped(w(1, 2, 20, 30, 'info'), cas(2, 2, 3, 40, 50, 'info'), r(3, 3, 60, 70))).to.deep.equal([]);
  });

  it('a value written twice is observed for both writers', () => {
    expect(dropped(w(0, 2, 0, 10, 'info'), w(1, 2, 20, 30, 'info'), r(2, 2, 40, 50))).to.deep.equal([]);
  });

  it('not a cas expecting its own new value: it observes it itself', () => {
    expect(dropped(w(0, 1, 0, 10), cas(1, 1, 1, 20, 30, 'info'))).to.deep.equal([]);
  });

  it('nothing, when an unknown outcome has a finite return (the argument needs +Infinity)', () => {
    const ops = columns(w(0, 1, 0, 10), w(1, 2, 20, 30, 'info'));
    expect(unobserved(ops)).to.deep.equal(new Uint8Array([0, 1]));
    const finite = { ...ops, ret: Float64Array.from([10, 30]) };
    expect(unobserved(finite)).to.deep.equal(new Uint8Array([0, 0]));
    expect(prune(finite)).to.equal(finite);
  });

  it('keeps the kept operations in call order with their columns', () => {
    const ops = columns(w(0, 1, 0, 10), w(1, 2, 20, 30, 'info'), cas(2, 1, 3, 40, 50), r(3, 3, 60, 70));
    const kept = prune(ops);
    expect(kept.n).to.equal(3);
    expect(kept.source.map((o) => o.value)).to.deep.equal([1, [1, 3], 3]);
    expect([...kept.kind]).to.deep.equal([0, 2, 1]);
    expect([...kept.call]).to.deep.equal([0, 40, 60]);
    expect([...kept.ret]).to.deep.equal([10, 50, 70]);
  });
});

describe('prune: verdicts where a naive rule would drop what the only linearization needs', function () {
  const cases: [string, boolean, Spec[]][] = [
    // Only reads observe: write 2 looks unread, but the acknowledged cas 2 → 3 needs it.
    [
      'an info write explained only by an acknowledged cas',
      true,
      [w(0, 1, 0, 10), w(1, 2, 20, 30, 'info'), cas(2, 2, 3, 40, 50), r(3, 3, 60, 70)],
    ],
    // Only acknowledged operations observe: the info cas 2 → 3 is read, and needs write 2.
    [
      'an info write explained only by an info cas whose value is read',
      true,
      [w(0, 1, 0, 10), w(1, 2, 20, 30, 'info'), cas(2, 2, 3, 40, 50, 'info'), r(3, 3, 60, 70)],
    ],
    ['a read of the info write long after it', true, [w(0, 1, 0, 10), w(1, 2, 20, 30, 'info'), r(2, 1, 40, 50), r(3, 2, 900, 910)]],
    // Dropped writes cannot hide a violation: the stale read stays one.
    [
      'a stale read among unobserved info writes',
      false,
      [w(0, 1, 0, 10), w(1, 2, 20, 30), w(2, 7, 25, 35, 'info'), w(3, 8, 26, 36, 'info'), r(4, 1, 40, 50)],
    ],
    // The cas expects 2, which only the info write called after the cas returned could hold.
    ['an acknowledged cas expecting a value written only after it', false, [w(0, 1, 0, 10), cas(1, 2, 3, 20, 30), w(2, 2, 40, 50, 'info')]],
  ];
  for (const [what, valid, specs] of cases) {
    it(`${what}: ${valid ? 'linearizable' : 'not linearizable'}`, () => {
      expect(check(...specs).valid).to.equal(valid);
    });
  }

  it('the failing operation of an invalid history is still the one that cannot be placed', () => {
    const result = check(w(0, 1, 0, 10), w(1, 2, 20, 30), w(2, 7, 25, 35, 'info'), r(4, 1, 40, 50));
    if (result.valid !== false) expect.fail(JSON.stringify(result));
    expect([result.failing.op.f, result.failing.op.value]).to.deep.equal(['read', 1]);
    expect(result.unobserved).to.equal(1);
  });
});

describe('prune: what it buys on a hot key', function () {
  it('a key where unobserved info writes chain into info cas: undecided without the pre-pass, decided with it', () => {
    // As the soak's clients do: an info write, then the retired client's successor tries a
    // cas from the value it wrote, also info; twenty such chains beside acknowledged writes
    // and reads, then a stale read. Refuting it means trying the chains in every gap
    // between the writes, unless they are set aside.
    const specs: Spec[] = [];
    let p = 0;
    for (let k = 0; k < 20; k++) {
      const t = k * 100;
      specs.push(w(p++, 1000 + k, t, t + 5, 'info'), cas(p++, 1000 + k, 2000 + k, t + 6, t + 8, 'info'));
      specs.push(w(p++, k + 1, t + 10, t + 20), r(p++, k + 1, t + 30, t + 40));
    }
    specs.push(r(p++, 1, 5000, 5010));
    const ops = pair(history(...specs));
    const raw = registerOps(ops, new Interner());
    expect(search(raw, 0, { steps: 1_000_000, deadline: Number.POSITIVE_INFINITY }).valid).to.equal('unknown');
    const result = checkRegister(ops, { maxSteps: 1_000_000 });
    if (result.valid !== false) expect.fail(JSON.stringify(result));
    expect([result.failing.op.f, result.failing.op.value, result.failing.op.call]).to.deep.equal(['read', 1, 5000]);
    expect(result.unobserved).to.equal(40);
    expect(result.steps).to.be.lessThan(1000);
  });

  it('a generated key with a quarter of its operations info, taking effect in their window or never', () => {
    const { events } = generate({ seed: 1, operations: 700, processes: 10, keys: 1, infoRate: 0.6, infoReads: false });
    const result = checkRegister(pair(events), { maxSteps: 50_000 });
    expect(result.valid).to.equal(true);
    expect(result.unobserved).to.be.greaterThan(100);
  });
});
