import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { DEFAULT_DISRUPTIONS, DISRUPTIONS, DISRUPTION_NAMES, parseDisruptions } from '../../lib/chaos/disruptions/index.ts';
import { describeRound, planRounds } from '../../lib/chaos/plan.ts';
import { parseRunArgs } from '../../lib/cli/args.ts';
import { UsageError } from '../../lib/errors.ts';

describe('disruption registry', () => {
  it('names each disruption after its key, with an expectation and a one-line description', () => {
    for (const name of DISRUPTION_NAMES) {
      const d = DISRUPTIONS[name];
      expect(d.name).to.equal(name);
      expect(['replaced', 'restarted-in-place', 'blocked', 'refused', 'unaffected']).to.include(d.expect);
      expect(d.describe, name).to.match(/^\S.{10,200}$/);
    }
    expect(DEFAULT_DISRUPTIONS).to.deep.equal(['delete', 'force-delete']);
  });

  it('parses --chaos into registry order, deduplicated; unknown names list the valid ones', () => {
    expect(parseDisruptions('force-delete, delete,force-delete')).to.deep.equal(['delete', 'force-delete']);
    expect(() => parseDisruptions('delete,explode')).to.throw(`unknown disruption "explode"; valid: ${DISRUPTION_NAMES.join(', ')}`);
    expect(() => parseDisruptions(' , ')).to.throw(/at least one/);
    expect(() => parseRunArgs(['--chaos', 'nope'])).to.throw(UsageError, /valid: delete, force-delete/);
    expect(parseRunArgs(['--seed', '1', '--chaos', 'delete']).replay).to.include('--chaos delete');
    expect(parseRunArgs(['--seed', '1', '--chaos', 'force-delete,delete']).replay).not.to.include('--chaos');
  });
});

describe('planRounds with the default disruptions', () => {
  // The plans every seed gave before the disruption model, hashed: the default set must
  // keep them byte for byte, so old reports' replay commands still replay the same kills.
  it('is byte-identical to the plans before the disruption model', () => {
    const all: unknown[] = [];
    for (let seed = 0; seed < 500; seed++) all.push(planRounds({ seed, statefulSet: 'web', replicas: 3, rounds: 5 }));
    for (let seed = 0; seed < 100; seed++) all.push(planRounds({ seed, statefulSet: 'db', replicas: 5, rounds: 4, pattern: 'burst' }));
    expect(createHash('sha256').update(JSON.stringify(all)).digest('hex')).to.equal('dec48a8519a9343840495582f3b506da969a5e27827215a3e1b48f756c299a23');
    expect(planRounds({ seed: 42, statefulSet: 'web', replicas: 3, rounds: 3 }).map(describeRound)).to.deep.equal([
      'round 1 (sequential): web-0 (delete), web-1 (force-delete)',
      'round 2 (reverse): web-2 (force-delete), web-1 (delete), web-0 (force-delete)',
      'round 3 (burst): web-0 (force-delete), web-1 (delete), web-2 (force-delete)',
    ]);
    // Listing the defaults explicitly, in any order, is the same plan.
    expect(planRounds({ seed: 42, statefulSet: 'web', replicas: 3, rounds: 3, actions: ['force-delete', 'delete'] }))
      .to.deep.equal(planRounds({ seed: 42, statefulSet: 'web', replicas: 3, rounds: 3 }));
  });
});
