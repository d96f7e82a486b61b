// Ordinal's register checker against an independent oracle: Porcupine (Go, test-only, see
// test/oracle/porcupine) judges the same history.jsonl files. Both must agree on every
// one of 1,200 seeded histories: linearizable ones from the simulated store (with info
// operations that take effect late or never) and ones with planted anomalies. Needs Go on
// PATH (the first run builds the oracle through the module proxy; later runs reuse it).
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ANOMALIES, type GenOptions, generate } from '../../../bench/history-gen.ts';
import { checkRegister } from '../../../lib/checkers/linearizable.ts';
import { formatHistory } from '../../../lib/history/jsonl.ts';
import { pair } from '../../../lib/history/pair.ts';
import { buildPorcupine, runPorcupine } from '../../oracle/porcupine.ts';

interface Case {
  readonly name: string;
  readonly options: GenOptions;
}

/** 300 linearizable by construction, 150 with long-pending info writes, 150 of each anomaly. */
function cases(): Case[] {
  const out: Case[] = [];
  const shape = (seed: number): Omit<GenOptions, 'seed'> => ({
    operations: 20 + (seed % 7) * 20,
    processes: 5 + (seed % 6),
    keys: 1 + (seed % 3),
    infoRate: seed % 4 === 0 ? 0 : 0.05,
  });
  for (let seed = 1; seed <= 300; seed++) out.push({ name: `random seed ${seed}`, options: { seed, ...shape(seed) } });
  for (let seed = 1; seed <= 150; seed++) {
    // Kept short: Porcupine keeps info reads (each free to go anywhere) and takes minutes
    // on 140 operations at this info rate (measured: 110 s), where Ordinal's takes 24 ms.
    const operations = 20 + (seed % 4) * 15;
    out.push({
      name: `long-pending info seed ${seed}`,
      options: { seed: 10_000 + seed, ...shape(seed), operations, infoRate: 0.15, latePending: 0.8 },
    });
  }
  ANOMALIES.forEach((anomaly, k) => {
    for (let seed = 1; seed <= 150; seed++) {
      out.push({ name: `${anomaly} seed ${seed}`, options: { seed: 100_000 * (k + 1) + seed, ...shape(seed), anomaly } });
    }
  });
  return out;
}

describe('linearizable: agreement with Porcupine (oracle)', function () {
  // The first run builds the oracle (about a minute on 2 idle cores); later ones take ~5 s.
  this.timeout(300_000);
  let dir = '';
  let bin = '';
  before(function () {
    bin = buildPorcupine();
    dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-oracle-'));
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('both checkers give the same verdict on 1,200 generated histories, valid and anomalous', () => {
    const all = cases();
    const files = all.map((c, i) => {
      const file = path.join(dir, `${i}.jsonl`);
      writeFileSync(file, formatHistory(generate(c.options).events));
      return file;
    });
    const oracle = runPorcupine(bin, files);
    const disagree: string[] = [];
    const tally = { Ok: 0, Illegal: 0, Unknown: 0 };
    all.forEach((c, i) => {
      const ours = checkRegister(pair(generate(c.options).events)).valid;
      const theirs = oracle[i]!.result;
      tally[theirs]++;
      const same = (ours === true && theirs === 'Ok') || (ours === false && theirs === 'Illegal');
      if (!same) disagree.push(`${c.name} (${files[i]}): ours ${String(ours)}, Porcupine ${theirs}`);
    });
    expect(disagree, disagree.slice(0, 10).join('\n')).to.deep.equal([]);
    // Agreement means something only if both verdicts occur often.
    expect(tally.Ok).to.be.greaterThan(400);
    expect(tally.Illegal).to.be.greaterThan(400);
    expect(tally.Unknown).to.equal(0);
  });
});
