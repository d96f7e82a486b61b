// `npm run bench:linearizability`: Ordinal's register linearizability checker and Porcupine
// (the Go oracle in test/oracle/porcupine) on the same seeded histories, time and peak
// memory side by side. Each checker runs in a fresh process per history, so peak RSS is
// that history's; time is the check alone (reading and pairing the file excluded), wall
// and CPU (all threads), the median of --repeat runs. Not part of `npm test`; needs Go on PATH for the oracle.
//
//   npm run bench:linearizability                       # 10k and 100k operations, 5 and 10 processes
//   npm run bench:linearizability -- --repeat 5 --json out.json
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { checkRegister } from '../lib/checkers/linearizable.ts';
import { formatHistory, parseHistory } from '../lib/history/jsonl.ts';
import { pair } from '../lib/history/pair.ts';
import { buildPorcupine, runPorcupine } from '../test/oracle/porcupine.ts';
import { type GenOptions, generate } from './history-gen.ts';

const SELF = fileURLToPath(import.meta.url);

interface Sample {
  readonly verdict: string;
  readonly ms: number;
  /** CPU time of the check (all threads), ms: steadier than wall time on a busy machine. */
  readonly cpuMs: number;
  readonly maxRssMiB: number;
  /** Ordinal only: what the search itself held (memo, list, columns) for the largest key. */
  readonly searchMiB?: number;
}

interface Row {
  readonly options: GenOptions;
  readonly bytes: number;
  readonly ordinal: Sample;
  readonly porcupine: Sample;
}

const CASES: Omit<GenOptions, 'seed'>[] = [
  { operations: 10_000, processes: 5, keys: 3, infoRate: 0.002 },
  { operations: 10_000, processes: 10, keys: 3, infoRate: 0.002 },
  { operations: 100_000, processes: 5, keys: 3, infoRate: 0.002 },
  { operations: 100_000, processes: 10, keys: 3, infoRate: 0.002 },
];
// Left out: 100k operations on one key. Measured once (10 processes): Ordinal 0.56 s and
// 295 MiB, Porcupine 20 s and 8.5 GiB (a full bitset per remembered configuration), too
// much for a shared machine.

/** Child mode: check one file, print {verdict, ms, maxRssMiB} as JSON. */
function one(file: string): void {
  const ops = pair(parseHistory(readFileSync(file, 'utf8')));
  // The parse's garbage is collected before the clock starts (the child runs with
  // --expose-gc), so the time is the check's own.
  (globalThis as { gc?: () => void }).gc?.();
  const t = performance.now();
  const cpu = process.cpuUsage();
  const r = checkRegister(ops);
  const used = process.cpuUsage(cpu);
  const ms = performance.now() - t;
  const cpuMs = (used.user + used.system) / 1000;
  const verdict = r.valid === true ? 'Ok' : r.valid === false ? 'Illegal' : 'Unknown';
  console.log(JSON.stringify({ verdict, ms, cpuMs, maxRssMiB: process.resourceUsage().maxRSS / 1024, searchMiB: r.bytes / 2 ** 20 }));
}

function ordinalSample(file: string): Sample {
  const r = spawnSync(process.execPath, ['--expose-gc', SELF, '--one', file], { encoding: 'utf8', timeout: 600_000 });
  if (r.status !== 0) throw new Error(`ordinal checker child failed on ${file}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Sample;
}

function porcupineSample(bin: string, file: string): Sample {
  const [v] = runPorcupine(bin, [file]);
  return { verdict: v!.result, ms: v!.ms, cpuMs: v!.cpuMs, maxRssMiB: v!.maxRssKiB / 1024 };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function measure(take: () => Sample, repeat: number): Sample {
  const samples = Array.from({ length: repeat }, take);
  const most = (pick: (s: Sample) => number | undefined) => Math.max(...samples.map((s) => pick(s) ?? 0));
  return {
    verdict: samples[0]!.verdict,
    ms: median(samples.map((s) => s.ms)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    maxRssMiB: most((s) => s.maxRssMiB),
    searchMiB: most((s) => s.searchMiB),
  };
}

function table(rows: readonly Row[]): string {
  const head = [
    'operations',
    'processes',
    'keys',
    'file MB',
    'verdicts',
    'Ordinal ms (CPU)',
    'Porcupine ms (CPU)',
    'ratio (CPU)',
    'Ordinal peak MiB (search)',
    'Porcupine peak MiB',
  ];
  const body = rows.map((r) => [
    String(r.options.operations),
    String(r.options.processes),
    String(r.options.keys),
    (r.bytes / 1e6).toFixed(1),
    `${r.ordinal.verdict}/${r.porcupine.verdict}`,
    `${r.ordinal.ms.toFixed(0)} (${r.ordinal.cpuMs.toFixed(0)})`,
    `${r.porcupine.ms.toFixed(0)} (${r.porcupine.cpuMs.toFixed(0)})`,
    `${(r.ordinal.ms / r.porcupine.ms).toFixed(2)}x (${(r.ordinal.cpuMs / r.porcupine.cpuMs).toFixed(2)}x)`,
    `${r.ordinal.maxRssMiB.toFixed(0)} (${(r.ordinal.searchMiB ?? 0).toFixed(1)})`,
    r.porcupine.maxRssMiB.toFixed(0),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

function main(): void {
  const { values } = parseArgs({
    options: {
      one: { type: 'string' },
      repeat: { type: 'string', default: '3' },
      json: { type: 'string' },
      seed: { type: 'string', default: '1' },
    },
  });
  if (values.one) {
    one(values.one);
    return;
  }
  const repeat = Number(values.repeat);
  const bin = buildPorcupine();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ordinal-bench-lin-'));
  const rows: Row[] = [];
  try {
    for (const c of CASES) {
      const options = { seed: Number(values.seed), ...c };
      const file = path.join(dir, `${c.operations}-${c.processes}-${c.keys}.jsonl`);
      const text = formatHistory(generate(options).events);
      writeFileSync(file, text);
      const row = {
        options,
        bytes: Buffer.byteLength(text),
        ordinal: measure(() => ordinalSample(file), repeat),
        porcupine: measure(() => porcupineSample(bin, file), repeat),
      };
      if (row.ordinal.verdict !== row.porcupine.verdict)
        throw new Error(`verdicts differ on ${file}: Ordinal ${row.ordinal.verdict}, Porcupine ${row.porcupine.verdict}`);
      rows.push(row);
      console.error(`${c.operations} operations, ${c.processes} processes, ${c.keys} keys: done`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(
    `Linearizability checkers on the same histories (median of ${repeat}; ${os.cpus().length} cores, Node ${process.version}; Porcupine checks keys in parallel goroutines, Ordinal on one thread; peak = process RSS, Node's own ~50 MiB and the parsed history included; (search) = the search's own arrays)`,
  );
  console.log(table(rows));
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
}

main();
