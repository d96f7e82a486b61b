import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { DEFAULT_DISRUPTIONS, DISRUPTIONS, DISRUPTION_NAMES, parseDisruptions } from '../../../lib/chaos/disruptions/index.ts';
import { describeRound, planRounds } from '../../../lib/chaos/plan.ts';
import { parseRunArgs } from '../../../lib/cli/args.ts';
import { replayOf } from '../helpers/plan.ts';
import { main } from '../../../lib/cli/main.ts';
import { UsageError } from '../../../lib/errors.ts';

describe('disruption registry', () => {
  it('names each disruption after its key, with an expectation and a one-line description', () => {
    for (const name of DISRUPTION_NAMES) {
      const d = DISRUPTIONS[name];
      expect(d.name).to.equal(name);
      expect(['replaced', 'restarted-in-place', 'blocked', 'refused', 'unaffected', 'stays']).to.include(d.expect);
      expect(d.describe, name).to.match(/^\S.{10,200}$/);
    }
    expect(DEFAULT_DISRUPTIONS).to.deep.equal(['delete', 'force-delete']);
  });

  it('parses --chaos into registry order, deduplicated; unknown names list the valid ones', () => {
    expect(parseDisruptions('force-delete, delete,force-delete')).to.deep.equal(['delete', 'force-delete']);
    expect(() => parseDisruptions('delete,explode')).to.throw(`unknown disruption "explode"; valid: ${DISRUPTION_NAMES.join(', ')}`);
    expect(() => parseDisruptions(' , ')).to.throw(/at least one/);
    expect(() => parseRunArgs(['--chaos', 'nope'])).to.throw(UsageError, /valid: delete, force-delete/);
    expect(replayOf(parseRunArgs(['--seed', '1', '--chaos', 'delete']))).to.include('--chaos delete');
    expect(replayOf(parseRunArgs(['--seed', '1', '--chaos', 'force-delete,delete']))).not.to.include('--chaos');
  });
});

describe('planRounds with the default disruptions', () => {
  // The plans every seed gave before the disruption model, hashed: the default set must
  // keep them byte for byte, so old reports' replay commands still replay the same kills.
  it('is byte-identical to the plans before the disruption model', () => {
    const all: unknown[] = [];
    for (let seed = 0; seed < 500; seed++) all.push(planRounds({ seed, statefulSet: 'web', replicas: 3, rounds: 5 }));
    for (let seed = 0; seed < 100; seed++) all.push(planRounds({ seed, statefulSet: 'db', replicas: 5, rounds: 4, pattern: 'burst' }));
    expect(createHash('sha256').update(JSON.stringify(all)).digest('hex')).to.equal(
      'dec48a8519a9343840495582f3b506da969a5e27827215a3e1b48f756c299a23',
    );
    expect(planRounds({ seed: 42, statefulSet: 'web', replicas: 3, rounds: 3 }).map(describeRound)).to.deep.equal([
      'round 1 (sequential): web-0 (delete), web-1 (force-delete)',
      'round 2 (reverse): web-2 (force-delete), web-1 (delete), web-0 (force-delete)',
      'round 3 (burst): web-0 (force-delete), web-1 (delete), web-2 (force-delete)',
    ]);
    // Listing the defaults explicitly, in any order, is the same plan.
    expect(planRounds({ seed: 42, statefulSet: 'web', replicas: 3, rounds: 3, actions: ['force-delete', 'delete'] })).to.deep.equal(
      planRounds({ seed: 42, statefulSet: 'web', replicas: 3, rounds: 3 }),
    );
  });
});

/** Runs the CLI in-process, collecting what it prints. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const write = process.stderr.write.bind(process.stderr);
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    return { code: await main(argv), out: out.join('\n'), err: err.join('') };
  } finally {
    console.log = log;
    process.stderr.write = write;
  }
}

describe('ordinal run --dry-run with --chaos', () => {
  it("shows the enabled set, each round's disruptions and, with evict, the PodDisruptionBudget", async () => {
    const r = await cli(['run', '--dry-run', '--seed', '16', '--chaos', 'evict,container-kill']);
    expect(r.code).to.equal(0);
    expect(r.out).to.include('# disruptions (--chaos)\ncontainer-kill: signals PID 1');
    expect(r.out).to.match(/\nevict: evicts the pod .*\(expects: replaced\)/);
    expect(r.out).to.include('"kind": "PodDisruptionBudget"');
    expect(r.out).to.include('"maxUnavailable": 1');
    expect(r.out).to.include('round 1 (sequential): web-0 (evict), web-1 (evict), web-2 (evict)');
    expect(r.out).to.include('--chaos container-kill,evict');
    const none = await cli(['run', '--dry-run', '--seed', '16', '--chaos', 'evict', '--pdb', 'none']);
    expect(none.out).not.to.include('"kind": "PodDisruptionBudget"');
    expect(none.out).to.include('--pdb none');
  });

  it('exits 2 on an unknown disruption or a bad --pdb, naming what is valid', async () => {
    const bad = await cli(['run', '--dry-run', '--chaos', 'delete,meteor']);
    expect(bad.code).to.equal(2);
    expect(bad.err).to.include('unknown disruption "meteor"; valid: delete, force-delete, container-kill, evict');
    const pdb = await cli(['run', '--dry-run', '--chaos', 'evict', '--pdb', 'max-unavailable=lots']);
    expect(pdb.code).to.equal(2);
    expect(pdb.err).to.include('--pdb must be max-unavailable=N, min-available=N or none');
  });
});
