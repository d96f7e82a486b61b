import { expect } from 'chai';
import { KILL_PATTERNS, KILL_PATTERN_OPTIONS, parseSeed, planRounds, randomSeed, type KillPatternOption } from '../../../lib/chaos/plan.ts';
import type { RoundPlan } from '../../../lib/model.ts';
import { createPrng } from '../../../lib/prng.ts';

const base = { statefulSet: 'web', replicas: 3, rounds: 5 };

describe('prng', () => {
  it('repeats its stream for the same seed and stays in range', () => {
    const a = createPrng(42);
    const b = createPrng(42);
    const xs = Array.from({ length: 100 }, () => a.next());
    expect(Array.from({ length: 100 }, () => b.next())).to.deep.equal(xs);
    for (const x of xs) expect(x).to.be.at.least(0).and.below(1);
    const r = createPrng(7);
    for (let i = 0; i < 1000; i++) expect(r.int(3)).to.be.oneOf([0, 1, 2]);
  });

  it('gives unrelated streams for neighbouring seeds', () => {
    expect(createPrng(1).nextUint32()).to.not.equal(createPrng(2).nextUint32());
  });

  it('rejects seeds outside uint32', () => {
    expect(() => createPrng(-1)).to.throw(/seed/);
    expect(() => createPrng(2 ** 32)).to.throw(/seed/);
    expect(() => createPrng(1.5)).to.throw(/seed/);
  });
});

describe('planRounds', () => {
  it('is deterministic: the same seed gives a deep-equal plan', () => {
    expect(planRounds({ ...base, seed: 1234 })).to.deep.equal(planRounds({ ...base, seed: 1234 }));
  });

  it('gives different plans for different seeds', () => {
    const plans = new Set([1, 2, 3, 4, 5].map((seed) => JSON.stringify(planRounds({ ...base, seed }))));
    expect(plans.size).to.be.greaterThan(1);
  });

  it('extends a shorter plan with the same seed (replaying fewer rounds is a prefix)', () => {
    const long = planRounds({ ...base, seed: 99, rounds: 6 });
    expect(planRounds({ ...base, seed: 99, rounds: 2 })).to.deep.equal(long.slice(0, 2));
  });

  it('kills 1..replicas distinct pods per round, in sending order, named after the StatefulSet', () => {
    const counts = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const plan = planRounds({ seed, statefulSet: 'db', replicas: 4, rounds: 3 });
      expect(plan.map((r) => r.round)).to.deep.equal([1, 2, 3]);
      for (const { kills, pattern } of plan) {
        counts.add(kills.length);
        expect(kills.length).to.be.within(1, 4);
        const ordinals = kills.map((k) => k.ordinal);
        expect(new Set(ordinals).size).to.equal(ordinals.length);
        // Listed in sending order: highest first for reverse, lowest first otherwise.
        expect(ordinals).to.deep.equal([...ordinals].sort((a, b) => (pattern === 'reverse' ? b - a : a - b)));
        for (const k of kills) {
          expect(k.ordinal).to.be.within(0, 3);
          expect(k.pod).to.equal(`db-${k.ordinal}`);
        }
      }
    }
    expect([...counts].sort()).to.deep.equal([1, 2, 3, 4]);
  });

  it('uses both actions over many seeds, and only the allowed ones when restricted', () => {
    const all = (actions?: ('delete' | 'force-delete')[]): Set<string> => {
      const seen = new Set<string>();
      for (let seed = 0; seed < 100; seed++) {
        for (const r of planRounds({ ...base, seed, actions })) for (const k of r.kills) seen.add(k.action);
      }
      return seen;
    };
    expect([...all()].sort()).to.deep.equal(['delete', 'force-delete']);
    expect([...all(['force-delete'])]).to.deep.equal(['force-delete']);
  });

  it('returns no rounds for rounds=0 and always the single pod for replicas=1', () => {
    expect(planRounds({ ...base, seed: 5, rounds: 0 })).to.deep.equal([]);
    for (const r of planRounds({ ...base, seed: 5, replicas: 1 })) {
      expect(r.kills.map((k) => k.pod)).to.deep.equal(['web-0']);
    }
  });

  it('rejects invalid inputs with clear messages', () => {
    expect(() => planRounds({ ...base, seed: 1, replicas: 0 })).to.throw(/replicas must be an integer >= 1, got 0/);
    expect(() => planRounds({ ...base, seed: 1, replicas: 2.5 })).to.throw(/replicas/);
    expect(() => planRounds({ ...base, seed: 1, rounds: -1 })).to.throw(/rounds must be an integer >= 0, got -1/);
    expect(() => planRounds({ ...base, seed: 1, rounds: Number.NaN })).to.throw(/rounds/);
    expect(() => planRounds({ ...base, seed: -3 })).to.throw(/seed/);
    expect(() => planRounds({ ...base, seed: 1, statefulSet: '' })).to.throw(/statefulSet/);
    expect(() => planRounds({ ...base, seed: 1, actions: [] })).to.throw(/at least one/);
    const bogus = ['explode'] as unknown as ('delete' | 'force-delete')[];
    expect(() => planRounds({ ...base, seed: 1, actions: bogus })).to.throw(/unknown chaos action "explode"/);
  });
});

describe('planRounds kill patterns', () => {
  const sorted = (r: RoundPlan): string[] => r.kills.map((k) => `${k.pod}/${k.action}`).sort();

  it('is deterministic for every pattern option', () => {
    for (const pattern of KILL_PATTERN_OPTIONS) {
      expect(planRounds({ ...base, seed: 77, pattern }), pattern).to.deep.equal(planRounds({ ...base, seed: 77, pattern }));
    }
  });

  it('a longer mixed plan extends a shorter one with the same seed, patterns included', () => {
    for (let seed = 0; seed < 50; seed++) {
      const long = planRounds({ ...base, seed, rounds: 8 });
      expect(planRounds({ ...base, seed, rounds: 3 })).to.deep.equal(long.slice(0, 3));
    }
  });

  it('a fixed pattern applies to every round and kills the same pods with the same actions as mixed', () => {
    for (let seed = 0; seed < 50; seed++) {
      const mixed = planRounds({ ...base, seed });
      for (const pattern of KILL_PATTERNS) {
        const fixed = planRounds({ ...base, seed, pattern });
        expect(fixed.map((r) => r.pattern)).to.deep.equal(fixed.map(() => pattern));
        expect(fixed.map(sorted)).to.deep.equal(mixed.map(sorted));
      }
    }
  });

  it('mixed draws each pattern about a third of the time', () => {
    const counts = new Map<string, number>();
    let total = 0;
    for (let seed = 0; seed < 1000; seed++) {
      for (const r of planRounds({ ...base, seed })) {
        counts.set(r.pattern, (counts.get(r.pattern) ?? 0) + 1);
        total++;
      }
    }
    expect([...counts.keys()].sort()).to.deep.equal(['burst', 'reverse', 'sequential']);
    for (const [pattern, n] of counts) expect(n / total, pattern).to.be.within(0.3, 0.37);
  });

  it('rejects an unknown pattern', () => {
    const bogus = 'zigzag' as unknown as KillPatternOption;
    expect(() => planRounds({ ...base, seed: 1, pattern: bogus })).to.throw(/unknown kill pattern "zigzag"/);
  });
});

describe('parseSeed / randomSeed', () => {
  it('parses decimal and hex seeds, trimming whitespace', () => {
    expect(parseSeed('0')).to.equal(0);
    expect(parseSeed(' 42\n')).to.equal(42);
    expect(parseSeed('4294967295')).to.equal(0xffffffff);
    expect(parseSeed('0xDEADbeef')).to.equal(0xdeadbeef);
  });

  it('rejects seeds that are not uint32', () => {
    for (const bad of ['', 'abc', '-1', '1.5', '4294967296', '0x100000000', '1e3', '0x']) {
      expect(() => parseSeed(bad), bad).to.throw(/seed must be/);
    }
  });

  it('makes uint32 seeds that planRounds accepts', () => {
    const seeds = Array.from({ length: 20 }, () => randomSeed());
    for (const s of seeds) {
      expect(Number.isInteger(s) && s >= 0 && s <= 0xffffffff).to.equal(true);
      expect(planRounds({ ...base, seed: s })).to.have.length(5);
    }
    expect(new Set(seeds).size).to.be.greaterThan(1);
  });
});
