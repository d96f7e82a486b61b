// The register checker before and after its pre-pass (lib/checkers/prune.ts) and stranding
// cut (lib/checkers/owed.ts) on histories shaped like a chaos soak's hot key: one key, ~700
// operations, 5–10 processes, a share of the writes and cas ending `info`, taking effect
// in their window, long after it, or never. "Before" is the plain search on every
// operation, as the checker ran until then; both get the same step and CPU budgets. Steps
// are deterministic; CPU ms are this process's, on one thread. Not part of `npm test`.
//
//   node bench/unknown-outcomes.ts [--seeds 3] [--late 0.6] [--client] [--max-steps 100000000] [--max-ms 60000]
//   node bench/unknown-outcomes.ts --file history.jsonl
// --late: the chance that an info write or cas takes effect long after its call (else in
// its window or never); --client: a cas expects the last value written on its key, as
// Ordinal's register client does (so unknown writes chain into cas); --anomaly stale-read
// (or another of history-gen's) plants one, which the search must then refute everywhere.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { byKey, checkRegister } from '../lib/checkers/linearizable.ts';
import { Interner, registerOps } from '../lib/checkers/register.ts';
import { cpuMs, search } from '../lib/checkers/search.ts';
import type { Operation } from '../lib/history/events.ts';
import { parseHistory } from '../lib/history/jsonl.ts';
import { pair } from '../lib/history/pair.ts';
import { type Anomaly, generate } from './history-gen.ts';

interface Judged {
  readonly verdict: string;
  readonly steps: number;
  readonly cpuMs: number;
}

const verdictOf = (v: boolean | 'unknown'): string => (v === true ? 'valid' : v === false ? 'invalid' : 'unknown');

/** The plain search on every operation, key by key, on one shared budget: the checker before the pre-pass and the cut. */
function without(ops: readonly Operation[], maxSteps: number, maxMs: number): Judged {
  const start = cpuMs();
  const budget = { steps: maxSteps, deadline: start + maxMs };
  const interner = new Interner();
  let steps = 0;
  let verdict: boolean | 'unknown' = true;
  for (const list of byKey(ops).values()) {
    const r = search(registerOps(list, interner), 0, budget);
    steps += r.steps;
    if (r.valid === false) return { verdict: 'invalid', steps, cpuMs: cpuMs() - start };
    if (r.valid === 'unknown') verdict = 'unknown';
  }
  return { verdict: verdictOf(verdict), steps, cpuMs: cpuMs() - start };
}

function withPrune(ops: readonly Operation[], maxSteps: number, maxMs: number): Judged & { unobserved: number } {
  const start = cpuMs();
  const r = checkRegister(ops, { maxSteps, maxMs });
  return { verdict: verdictOf(r.valid), steps: r.steps, cpuMs: cpuMs() - start, unobserved: r.unobserved };
}

function row(name: string, ops: readonly Operation[], maxSteps: number, maxMs: number): string {
  const info = ops.filter((o) => o.type === 'info' && o.f !== 'read').length;
  const before = without(ops, maxSteps, maxMs);
  const after = withPrune(ops, maxSteps, maxMs);
  const cells = [
    name,
    String(ops.length),
    `${info} (${((100 * info) / ops.length).toFixed(0)} %)`,
    String(after.unobserved),
    `${before.verdict}, ${before.steps.toLocaleString('en')} steps, ${before.cpuMs.toFixed(0)} ms`,
    `${after.verdict}, ${after.steps.toLocaleString('en')} steps, ${after.cpuMs.toFixed(0)} ms`,
  ];
  return `| ${cells.join(' | ')} |`;
}

function main(): void {
  const { values } = parseArgs({
    options: {
      seeds: { type: 'string', default: '3' },
      'max-steps': { type: 'string', default: '100000000' },
      'max-ms': { type: 'string', default: '60000' },
      file: { type: 'string' },
      late: { type: 'string', default: '0.6' },
      client: { type: 'boolean', default: false },
      anomaly: { type: 'string' },
    },
  });
  const maxSteps = Number(values['max-steps']);
  const maxMs = Number(values['max-ms']);
  const late = Number(values.late);
  console.log('| history | operations | info writes/cas | set aside | before: plain search | now: pre-pass and cut |');
  console.log('|---|---:|---:|---:|---|---|');
  if (values.file) {
    console.log(row(values.file, pair(parseHistory(readFileSync(values.file, 'utf8'))), maxSteps, maxMs));
    return;
  }
  for (const [processes, infoRate] of [
    [5, 0.4],
    [8, 0.5],
    [10, 0.6],
  ] as const) {
    for (let seed = 1; seed <= Number(values.seeds); seed++) {
      const { events } = generate({
        seed,
        operations: 700,
        processes,
        keys: 1,
        infoRate,
        latePending: late,
        lateCas: late,
        infoReads: false,
        casFromLastWritten: values.client,
        ...(values.anomaly ? { anomaly: values.anomaly as Anomaly } : {}),
      });
      console.log(row(`seed ${seed}, ${processes} processes`, pair(events), maxSteps, maxMs));
    }
  }
}

main();
