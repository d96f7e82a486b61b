// The run's plan (lib/run/plan.ts): one place draws the rounds, the update and the
// ordinal range, and the dry run prints exactly that plan for every subject.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeRound, planRounds } from '../../lib/chaos/plan.ts';
import { main } from '../../lib/cli/main.ts';

const FIXTURE = path.join(import.meta.dirname, '..', 'fixtures', 'byo', 'target-store.yaml');

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
    const want = planRounds({ seed: 7, statefulSet: 'store', replicas: 2, rounds: 4, actions: ['container-kill', 'evict'], startOrdinal: 3 });
    const rounds = r.out.split('\n').filter((l) => /^round \d+ /.test(l));
    expect(rounds).to.deep.equal(want.map(describeRound));
    expect(r.out).not.to.match(/store-[012]\b/);
  });
});
