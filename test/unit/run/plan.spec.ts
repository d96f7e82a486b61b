// The run's plan (lib/run/plan.ts): one place draws the rounds, the update and the
// ordinal range, and the dry run prints exactly that plan for every subject.
import { expect } from 'chai';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeRound, planRounds } from '../../../lib/chaos/plan.ts';
import { parseRunArgs } from '../../../lib/cli/args.ts';
import { main } from '../../../lib/cli/main.ts';
import { planRun, podsOf } from '../../../lib/run/plan.ts';
import { seededUpdate } from '../../../lib/update/mode.ts';
import { pickStsOptions } from '../../../lib/workloads/sts-options.ts';

const FIXTURE = path.join(import.meta.dirname, '..', '..', 'fixtures', 'byo', 'target-store.yaml');

async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  try {
    return { code: await main(argv), out: out.join('\n') };
  } finally {
    console.log = log;
  }
}

describe('run --dry-run --manifest: the plan the run would execute', () => {
  let dir = '';
  let manifest = '';
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-plan-'));
    manifest = path.join(dir, 'store.yaml');
    // spec.ordinals.start 3: the pods are store-3 and store-4.
    writeFileSync(manifest, readFileSync(FIXTURE, 'utf8').replace('  replicas: 2\n', '  replicas: 2\n  ordinals:\n    start: 3\n'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('draws from the --chaos disruptions and names the pods from spec.ordinals.start', async () => {
    const r = await cli(['run', '--dry-run', '--manifest', manifest, '--seed', '7', '--rounds', '4', '--chaos', 'container-kill,evict']);
    expect(r.code, r.out).to.equal(0);
    const want = planRounds({
      seed: 7,
      statefulSet: 'store',
      replicas: 2,
      rounds: 4,
      actions: ['container-kill', 'evict'],
      startOrdinal: 3,
    });
    const rounds = r.out.split('\n').filter((l) => /^round \d+ /.test(l));
    expect(rounds).to.deep.equal(want.map(describeRound));
    expect(r.out).not.to.match(/store-[012]\b/);
  });
});

describe('planRun: one plan for every subject', () => {
  const info = (start: number): { statefulSet: string; replicas: number; options: ReturnType<typeof pickStsOptions> } => ({
    statefulSet: 'store',
    replicas: 2,
    options: pickStsOptions({ ...parseRunArgs(['--seed', '1']), startOrdinal: start }),
  });

  it('names the pods from spec.ordinals.start, and every planned disruption aims at one of them', () => {
    const a = parseRunArgs(['--seed', '11', '--rounds', '5', '--chaos', 'delete,evict']);
    const plan = planRun(a, { kind: 'target', workload: { info: info(3) } });
    expect(plan.ordinals).to.deep.equal({ statefulSet: 'store', start: 3, replicas: 2 });
    expect(podsOf(plan.ordinals)).to.deep.equal(['store-3', 'store-4']);
    const aimed = new Set(plan.rounds.flatMap((r) => r.kills.map((k) => k.pod)));
    expect(
      [...aimed].every((p) => p === 'store-3' || p === 'store-4'),
      [...aimed].join(', '),
    ).to.equal(true);
    expect(new Set(plan.rounds.flatMap((r) => r.kills.map((k) => k.action)))).to.satisfy((s: Set<string>) =>
      [...s].every((x) => x === 'delete' || x === 'evict'),
    );
  });

  it('draws the rounds with the chosen disruptions and start ordinal, as planRounds does for them', () => {
    const a = parseRunArgs(['--seed', '3', '--rounds', '4', '--chaos', 'force-delete,container-kill', '--kill-pattern', 'burst']);
    const plan = planRun(a, { kind: 'manifest', workload: { info: info(7) } });
    expect(plan.rounds).to.deep.equal(
      planRounds({
        seed: 3,
        statefulSet: 'store',
        replicas: 2,
        rounds: 4,
        actions: ['force-delete', 'container-kill'],
        startOrdinal: 7,
        pattern: 'burst',
      }),
    );
    expect(plan.budget).to.include({ round: 300_000, rollout: 300_000, dns: 60_000 });
  });

  it("a --target never gets the seed's update; a sample keeps it, with the seed's round", () => {
    const seed = [...Array(50).keys()].find((s) => seededUpdate(s, 3).mode === 'rollback') as number;
    const a = parseRunArgs(['--seed', String(seed)]);
    expect(planRun(a, { kind: 'sample', workload: { info: info(0) } }).update).to.deep.equal({
      mode: 'rollback',
      round: seededUpdate(seed, 3).round,
      chosenBy: 'seed',
    });
    expect(planRun(a, { kind: 'target', workload: { info: info(0) } }).update).to.deep.equal({
      mode: 'none',
      chosenBy: 'seed',
      note: "the seed chose rollback, but a --target run never changes the user's StatefulSet",
    });
  });
});

describe('the seeded planners have one caller', () => {
  it('only lib/run/plan.ts calls planRounds and seededUpdate (besides their own modules)', () => {
    const lib = path.join(import.meta.dirname, '..', '..', '..', 'lib');
    const own = new Set(['chaos/plan.ts', 'update/mode.ts', 'run/plan.ts']);
    const callers = readdirSync(lib, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.ts') && !own.has(f.split(path.sep).join('/')))
      .filter((f) => /\b(planRounds|seededUpdate)\(/.test(readFileSync(path.join(lib, f), 'utf8')));
    expect(callers).to.deep.equal([]);
  });
});
