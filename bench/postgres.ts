// bench:postgres: CloudNativePG's chaos-testing schedule on the StatefulSet sample. Their
// test deletes the primary every 60 s for 600 s while a Jepsen client runs; here the
// postgres sample runs under bank traffic and every round deletes the primary, db-0, and
// nothing else (seeds are searched for that plan: --chaos delete, 3 replicas, no update
// phase), run after run until the rounds add up to --chaos-seconds. Not part of `npm test`.
//   node bench/postgres.ts [--chaos-seconds 600] [--rounds 6] [--first-seed 7000]
//                          [--report-dir reports/bench-postgres] [--name postgres]
//   node bench/postgres.ts --collect   (no runs: the figures again from every run in --report-dir)
// Prints one line per run and the table of docs/measured.md; writes
// bench/results/<date>/<name>/runs/<run-id>.json and aggregate.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CheckInput } from '../lib/checks/api.ts';
import { parseHistory } from '../lib/history/jsonl.ts';
import type { RunResult } from '../lib/run/results-schema.ts';
import { RESULTS_ROOT, stableJson } from './figures-store.ts';
import { mergePg, type PgAggregate, type PgRunFigures, pgRunFigures, primaryOnlySeed, type Spread } from './postgres-figures.ts';

const { values: opt } = parseArgs({
  options: {
    'chaos-seconds': { type: 'string', default: '600' },
    rounds: { type: 'string', default: '6' },
    'first-seed': { type: 'string', default: '7000' },
    'report-dir': { type: 'string', default: 'reports/bench-postgres' },
    name: { type: 'string', default: 'postgres' },
    collect: { type: 'boolean', default: false },
  },
});
const num = (k: keyof typeof opt, min: number): number => {
  const v = Number(opt[k]);
  if (!Number.isInteger(v) || v < min) {
    console.error(`bench:postgres: --${k} must be an integer >= ${min}, got ${JSON.stringify(opt[k])}`);
    process.exit(2);
  }
  return v;
};
const chaosTarget = num('chaos-seconds', 1) * 1000;
const rounds = num('rounds', 1);
let seed = num('first-seed', 0);
const reportDir = String(opt['report-dir']);
const name = String(opt.name);

const bin = path.join(import.meta.dirname, '..', 'bin', 'ordinal.js');
const flags = ['--workload', 'postgres', '--replicas', '3', '--rounds', String(rounds), '--chaos', 'delete'];
// The bank client runs as fast as the primary answers (no --traffic-rate).
flags.push('--kill-pattern', 'sequential', '--update', 'none', '--traffic', 'bank');
const runs: PgRunFigures[] = [];
const started = new Date();
let chaosMs = 0;
let failures = 0;
if (opt.collect) {
  for (const e of readdirSync(reportDir, { withFileTypes: true })) {
    if (e.isDirectory() && existsSync(path.join(reportDir, e.name, 'history.jsonl'))) runs.push(figuresOf(path.join(reportDir, e.name)));
  }
  runs.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  chaosMs = chaosTarget;
}
while (chaosMs < chaosTarget) {
  seed = primaryOnlySeed(seed, rounds);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, 'run', '--seed', String(seed), '--report-dir', reportDir, ...flags], { encoding: 'utf8' });
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  let fig: PgRunFigures | undefined;
  try {
    fig = figuresOf(path.join(reportDir, 'latest'));
    if (fig.seed !== seed || runs.some((x) => x.runId === fig?.runId)) throw new Error('latest is an earlier run');
  } catch (err) {
    fig = undefined;
    console.log(`seed ${seed}: exit ${r.status} in ${secs}s, no figures: ${err instanceof Error ? err.message : String(err)}`);
    console.log(r.stderr.trim().split('\n').slice(-3).join('\n'));
  }
  if (fig) {
    runs.push(fig);
    chaosMs += fig.chaosMs;
    console.log(
      `seed ${seed} ${fig.runId}: ${fig.verdict} in ${secs}s; chaos ${(fig.chaosMs / 1000).toFixed(0)} s, ${fig.primaryKills} primary deletions, ${fig.transfers.ok} transfers committed, unavailable ${fig.unavailableMs.join(', ')} ms${fig.problems.length ? ` — ${fig.problems.join('; ')}` : ''}`,
    );
  }
  seed++;
  // A run the cluster could not host (exit 2: its API, DNS or a node failed it) is retried with the next seed, a few times.
  failures = fig ? 0 : failures + 1;
  if (failures >= 3) {
    console.error('bench:postgres: 3 runs in a row gave no figures; stopping');
    break;
  }
}
if (runs.length === 0) {
  console.error('bench:postgres: no run gave figures');
  process.exit(1);
}
const agg = mergePg(runs);
const wall = Math.round((Date.now() - started.getTime()) / 1000);
const date = started.toISOString().slice(0, 10);
const dir = path.join(RESULTS_ROOT, date, name);
rmSync(path.join(dir, 'runs'), { recursive: true, force: true });
mkdirSync(path.join(dir, 'runs'), { recursive: true });
for (const f of runs) writeFileSync(path.join(dir, 'runs', `${f.runId}.json`), stableJson(f));
const meta = {
  name,
  date,
  machine: `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB; runs ${runs[0]?.startedAt.slice(11, 16)}–${runs.at(-1)?.finishedAt.slice(11, 16)} UTC`,
  command: `npm run bench:postgres -- ${process.argv.slice(2).join(' ')} (${runs.length} × ordinal run --seed ${runs.map((r) => r.seed).join(',')} ${flags.join(' ')})`,
};
writeFileSync(path.join(dir, 'aggregate.json'), stableJson({ ...meta, figures: agg }));
console.log(
  `\nbench:postgres: ${runs.length} runs, ${(agg.chaosMs / 1000).toFixed(0)} s of chaos, wall ${wall} s; figures in ${path.relative(process.cwd(), dir)}/\n`,
);
console.log(table(agg));
process.exit(runs.length > 0 && agg.verdicts.passed === runs.length ? 0 : 1);

/** One run's figures from its report directory (results.json, timeline.json, history.jsonl). */
function figuresOf(dir: string): PgRunFigures {
  const res = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8')) as RunResult;
  const input = JSON.parse(readFileSync(path.join(dir, 'timeline.json'), 'utf8')) as CheckInput;
  const clock = input.traffic?.historyClock ?? input.history?.clock;
  if (!clock) throw new Error(`no history clock in ${dir}/timeline.json`);
  return pgRunFigures(res, parseHistory(readFileSync(path.join(dir, 'history.jsonl'), 'utf8')), clock);
}

function table(a: PgAggregate): string {
  const s = (x: Spread): string => (x.samples === 0 ? 'no samples' : `${fmt(x.p50)} / ${fmt(x.p95)} / ${fmt(x.max)} (${x.samples})`);
  const rows: [string, string][] = [
    ['runs (passed / failed / error)', `${a.runs} (${a.verdicts.passed} / ${a.verdicts.failed} / ${a.verdicts.error})`],
    ['chaos time, primary deletions', `${(a.chaosMs / 1000).toFixed(0)} s, ${a.primaryKills}`],
    ['transfers committed / failed / unknown', `${a.transfers.ok} / ${a.transfers.failed} / ${a.transfers.unknown}`],
    ['committed transfers per second of chaos', `${a.transfersPerSecond}`],
    ['reads of all balances per second (all pods)', `${a.readsPerSecond}`],
    ['no commit per primary deletion, p50 / p95 / max (n)', s(a.unavailable)],
    ['primary delete → new db-0 Ready', s(a.primaryReady)],
    ['replica reconnect after the primary came back', s(a.reconnect)],
    ['replica catch-up (marker commit → replayed)', s(a.catchUp)],
    ['replica replay lag (primary replay_lag)', s(a.replayLag)],
    ['bank anomalies (STS-BANK-INVARIANT)', `${a.bankAnomalies}`],
  ];
  return ['| | Ordinal, postgres sample |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}
function fmt(x: number | undefined): string {
  return x === undefined ? '–' : x >= 10_000 ? `${(x / 1000).toFixed(0)} s` : x >= 1000 ? `${(x / 1000).toFixed(1)} s` : `${x} ms`;
}
