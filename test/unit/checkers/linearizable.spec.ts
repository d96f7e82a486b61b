// The register linearizability checker on hand-built histories: each anomaly kind must be
// found (with the operation that cannot be placed), and histories that are linearizable,
// including with info operations taking effect late or never, must pass.
import { expect } from 'chai';
import { checkRegister, type LinearizabilityResult } from '../../../lib/checkers/linearizable.ts';
import { HistoryFormatError } from '../../../lib/history/jsonl.ts';
import { pair } from '../../../lib/history/pair.ts';
import { generate } from '../../../bench/history-gen.ts';
import { cas, history, r, type Spec, w } from '../helpers/history-builder.ts';

const check = (...specs: Spec[]): LinearizabilityResult => checkRegister(pair(history(...specs)));

function failing(result: LinearizabilityResult) {
  if (result.valid !== false) expect.fail(`expected not linearizable, got ${JSON.stringify(result)}`);
  return result.failing;
}

describe('linearizable: valid register histories pass', function () {
  const cases: [string, Spec[]][] = [
    ['an empty history', []],
    ['a read of null before any write', [r(0, null, 0, 10), w(1, 1, 20, 30)]],
    ['sequential write then read', [w(0, 1, 0, 10), r(1, 1, 20, 30)]],
    ['a read concurrent with a write sees the old value', [w(0, 1, 0, 10), w(1, 2, 20, 40), r(2, 1, 25, 35)]],
    ['a read concurrent with a write sees the new value', [w(0, 1, 0, 10), w(1, 2, 20, 40), r(2, 2, 25, 35)]],
    ['operations touching at one instant may take effect in either order', [w(0, 1, 0, 10), r(1, null, 10, 20)]],
    ['a cas chain', [w(0, 1, 0, 10), cas(1, 1, 2, 20, 30), cas(2, 2, 3, 40, 50), r(0, 3, 60, 70)]],
    ['concurrent writes read back in the order they took effect', [w(0, 1, 0, 100), w(1, 2, 0, 100), r(2, 2, 110, 120), r(3, 2, 130, 140)]],
    [
      'an info write taking effect long after its call',
      [w(0, 1, 0, 10), w(1, 2, 20, 30, 'info'), r(2, 1, 100, 110), r(2, 1, 500, 510), r(2, 2, 900, 910)],
    ],
    ['an info write that never took effect', [w(0, 1, 0, 10), w(1, 2, 20, 30, 'info'), r(2, 1, 100, 110), r(2, 1, 200, 210)]],
    ['an invocation never completed that took effect', [w(0, 1, 0, 10), w(1, 2, 20), r(2, 2, 100, 110)]],
    ['an info cas that took effect', [w(0, 1, 0, 10), cas(1, 1, 2, 20, 30, 'info'), r(2, 2, 100, 110)]],
    ['an info cas that did not', [w(0, 1, 0, 10), cas(1, 1, 2, 20, 30, 'info'), r(2, 1, 100, 110)]],
    ['a failed cas changes nothing', [w(0, 1, 0, 10), cas(1, 5, 2, 20, 30, 'fail'), r(2, 1, 100, 110)]],
    ['an info read is unconstrained', [w(0, 1, 0, 10), r(1, null, 20, 30, 'info'), r(2, 1, 40, 50)]],
    [
      'keys are independent registers',
      [w(0, 1, 0, 10, 'ok', 'x'), w(1, 2, 0, 10, 'ok', 'y'), r(2, 1, 20, 30, 'ok', 'x'), r(3, 2, 20, 30, 'ok', 'y')],
    ],
  ];
  for (const [what, specs] of cases) {
    it(what, () => {
      const result = check(...specs);
      expect(result.valid, JSON.stringify(result)).to.equal(true);
    });
  }

  it('every history of the simulated linearizable store passes (300 seeds, 5–10 processes, info operations)', () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { events } = generate({
        seed,
        operations: 60 + (seed % 5) * 20,
        processes: 5 + (seed % 6),
        keys: 1 + (seed % 3),
        infoRate: 0.05,
        latePending: 0.5,
      });
      const result = checkRegister(pair(events));
      expect(result.valid, `seed ${seed}: ${JSON.stringify(result)}`).to.equal(true);
    }
  });
});

describe('linearizable: anomalies are found, with the operation that cannot be placed', function () {
  it('stale read: a read of a value overwritten before it was called', () => {
    const f = failing(check(w(0, 1, 0, 10), w(1, 2, 20, 30), { ...r(2, 1, 40, 50), pod: 'etcd-2' }));
    expect(f.key).to.equal('x');
    expect([f.op.f, f.op.value, f.op.pod]).to.deep.equal(['read', 1, 'etcd-2']);
    expect(f.values).to.deep.equal([2]);
    expect([f.writer?.f, f.writer?.value, f.writer?.call]).to.deep.equal(['write', 2, 20]);
    expect(f.concurrent).to.deep.equal([]);
  });

  it('reads going backwards across two concurrent writes', () => {
    const f = failing(check(w(0, 1, 0, 100), w(1, 2, 0, 100), r(2, 2, 110, 120), r(3, 1, 130, 140)));
    expect([f.op.f, f.op.value]).to.deep.equal(['read', 1]);
  });

  it('lost update: two read-modify-writes from the same value both succeed', () => {
    const f = failing(check(w(0, 1, 0, 10), cas(1, 1, 2, 20, 40), cas(2, 1, 3, 25, 45), r(0, 3, 50, 60)));
    expect(f.op.f).to.equal('cas');
    expect(f.writer?.f).to.equal('cas');
    expect(f.concurrent.map((o) => o.f)).to.deep.equal(['cas']);
  });

  it('lost update: an acknowledged write that no later read sees', () => {
    const f = failing(check(w(0, 1, 0, 10), w(1, 2, 20, 30), r(2, 1, 40, 50), r(3, 1, 60, 70)));
    expect([f.op.f, f.op.value]).to.deep.equal(['read', 1]);
  });

  it('duplicated write: a value read again after it was overwritten and read so', () => {
    const f = failing(check(w(0, 1, 0, 10), w(1, 2, 20, 30), r(2, 2, 40, 50), r(3, 1, 60, 70)));
    expect([f.op.f, f.op.value]).to.deep.equal(['read', 1]);
    expect(f.values).to.deep.equal([2]);
  });

  it('a read of a value never written', () => {
    const f = failing(check(r(1, 9, 20, 30)));
    expect([f.op.f, f.op.value]).to.deep.equal(['read', 9]);
    expect([f.values, f.writer]).to.deep.equal([[null], undefined]);
  });

  it('a read of the value of a failed write', () => {
    const f = failing(check(w(0, 1, 0, 10), w(1, 2, 20, 30, 'fail'), r(2, 2, 40, 50)));
    expect([f.op.f, f.op.value]).to.deep.equal(['read', 2]);
  });

  it('cas: acknowledged although the register held another value', () => {
    const f = failing(check(w(0, 1, 0, 10), cas(1, 5, 6, 20, 30)));
    expect([f.op.f, f.op.value]).to.deep.equal(['cas', [5, 6]]);
    expect(f.values).to.deep.equal([1]);
    expect(f.writer?.value).to.equal(1);
  });

  it('cas: an info cas that could not have matched, yet its new value is read', () => {
    const f = failing(check(w(0, 1, 0, 10), cas(1, 5, 6, 20, 30, 'info'), r(2, 6, 40, 50)));
    expect([f.op.f, f.op.value]).to.deep.equal(['read', 6]);
  });

  it('an info write cannot take effect twice: its value back after being overwritten', () => {
    const f = failing(check(w(0, 1, 0, 10), w(1, 2, 20, 30, 'info'), r(2, 2, 100, 110), w(3, 3, 120, 130), r(2, 2, 140, 150)));
    expect([f.op.f, f.op.value, f.op.call]).to.deep.equal(['read', 2, 140]);
  });

  it('names the key that broke when others are fine, and lists the concurrent operations', () => {
    const f = failing(
      check(
        w(0, 1, 0, 10, 'ok', 'a'),
        r(1, 1, 20, 30, 'ok', 'a'),
        w(2, 7, 0, 10, 'ok', 'b'),
        w(3, 8, 15, 45, 'ok', 'b'),
        r(4, 3, 20, 30, 'ok', 'b'),
      ),
    );
    expect(f.key).to.equal('b');
    expect(f.concurrent.map((o) => o.value)).to.deep.equal([8]);
  });
});

describe('linearizable: budget and input', function () {
  it('a search that runs out of steps is unknown, never valid', () => {
    const { events } = generate({ seed: 3, operations: 2000, processes: 8, keys: 2 });
    const ops = pair(events);
    expect(checkRegister(ops).valid).to.equal(true);
    const result = checkRegister(ops, { maxSteps: 500 });
    expect(result.valid).to.equal('unknown');
    if (result.valid === 'unknown') expect(result.reason).to.match(/^key "k\d": step budget exhausted after \d+ steps on \d+ operations$/);
  });

  it('a search that runs out of time is unknown, never valid', () => {
    // 20 concurrent writes, then a read of a value none wrote: refuting it means trying
    // every order of the writes up to the memo (about 20 · 2^20 configurations).
    const writes = Array.from({ length: 20 }, (_, k) => w(k, k + 1, 0, 100));
    const ops = pair(history(...writes, r(20, 999, 200, 210)));
    const result = checkRegister(ops, { maxMs: 50 });
    expect(result.valid).to.equal('unknown');
    if (result.valid === 'unknown') expect(result.reason).to.match(/^key "x": CPU-time budget exhausted after \d+ steps on 21 operations$/);
  });

  it('keys left when the time budget is gone are unknown without a search', () => {
    const specs = Array.from({ length: 3 }, (_, k) => w(k, k + 1, 0, 10, 'ok', `key${k}`));
    const result = checkRegister(pair(history(...specs)), { maxMs: -1 });
    expect(result.valid).to.equal('unknown');
    if (result.valid === 'unknown') expect(result.reason).to.equal('key "key0": CPU-time budget exhausted before its search began');
    expect(result.steps).to.equal(0);
  });

  it('a set operation in a register history is bad input', () => {
    const events = history({ p: 0, f: 'add', value: 1, call: 0, ret: 10 });
    expect(() => checkRegister(pair(events))).to.throw(
      HistoryFormatError,
      /operation at line 1 is an add: a register history has read, write and cas/,
    );
  });
});
