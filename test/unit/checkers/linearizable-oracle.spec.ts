// Ordinal's register checker against an independent oracle: Porcupine (Go, test-only, see
// test/oracle/porcupine) judges the same history.jsonl files. Both must agree on every
// one of 1,200 seeded histories: linearizable ones from the simulated store (with info
// operations that take effect late or never) and ones with planted anomalies; and 600 more
// where a quarter of the operations end `info`, the histories the pre-pass of
// lib/checkers/prune.ts sets unobserved writes aside on. Needs Go on PATH (the first run
// builds the oracle through the module proxy; later runs reuse it).
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

/**
 * One key, half the writes and cas `info` (a quarter of all operations), most of those
 * taking effect long after their call or never; reads always complete (an info read
 * changes nothing, and only Porcupine, which keeps them, would pay for it). 400 with
 * unique values, 200 with values drawn from 1..4 (a write's value read back may be
 * another's); two in three with a planted anomaly. Kept to 12–34 operations: Porcupine has
 * no such pre-pass, and 40 of them already take it seconds on some seeds (Ordinal: ms).
 */
function unknownOutcomeCases(): Case[] {
  const out: Case[] = [];
  for (let seed = 1; seed <= 600; seed++) {
    const pooled = seed > 400;
    const anomaly = seed % 3 === 0 ? undefined : ANOMALIES[seed % ANOMALIES.length];
    const options: GenOptions = {
      seed: 700_000 + seed,
      operations: pooled ? 12 + (seed % 5) * 5 : 16 + (seed % 4) * 6,
      processes: 5 + (seed % 6),
      keys: 1,
      infoRate: 0.5,
      latePending: 0.6,
      lateCas: 0.6,
      infoReads: false,
      ...(pooled ? { values: 4 } : {}),
      ...(anomaly ? { anomaly } : {}),
    };
    out.push({ name: `unknown outcomes${pooled ? ', values 1..4,' : ''} ${anomaly ?? 'valid'} seed ${seed}`, options });
  }
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

  /** Ours and Porcupine's verdict on each case; returns the disagreements, the oracle's tally and what ours set aside. */
  function compare(all: readonly Case[], tag: string) {
    const files = all.map((c, i) => {
      const file = path.join(dir, `${tag}-${i}.jsonl`);
      writeFileSync(file, formatHistory(generate(c.options).events));
      return file;
    });
    const oracle = runPorcupine(bin, files);
    const disagree: string[] = [];
    const tally = { Ok: 0, Illegal: 0, Unknown: 0 };
    let info = 0;
    let unobserved = 0;
    all.forEach((c, i) => {
      const ops = pair(generate(c.options).events);
      const result = checkRegister(ops);
      info += ops.filter((o) => o.type === 'info').length;
      unobserved += result.unobserved;
      const ours = result.valid;
      const theirs = oracle[i]!.result;
      tally[theirs]++;
      const same = (ours === true && theirs === 'Ok') || (ours === false && theirs === 'Illegal');
      if (!same) disagree.push(`${c.name} (${files[i]}): ours ${String(ours)}, Porcupine ${theirs}`);
    });
    return { disagree, tally, info, unobserved };
  }

  it('both checkers give the same verdict on 1,200 generated histories, valid and anomalous', () => {
    const { disagree, tally } = compare(cases(), 'mixed');
    expect(disagree, disagree.slice(0, 10).join('\n')).to.deep.equal([]);
    // Agreement means something only if both verdicts occur often.
    expect(tally.Ok).to.be.greaterThan(400);
    expect(tally.Illegal).to.be.greaterThan(400);
    expect(tally.Unknown).to.equal(0);
  });

  it('and on 600 histories where a quarter of the operations have unknown outcomes', () => {
    const { disagree, tally, info, unobserved } = compare(unknownOutcomeCases(), 'unknown');
    expect(disagree, disagree.slice(0, 10).join('\n')).to.deep.equal([]);
    expect(tally.Ok).to.be.greaterThan(250);
    expect(tally.Illegal).to.be.greaterThan(200);
    expect(tally.Unknown).to.equal(0);
    // Both sides of the pre-pass are exercised: info writes and cas set aside, and many
    // kept because an operation observed them (their values read or expected by a cas).
    expect(info).to.be.greaterThan(3000);
    expect(unobserved).to.be.greaterThan(1500);
    expect(info - unobserved).to.be.greaterThan(1000);
  });
});
