// Soak: N consecutive real runs, to count false alarms on a healthy cluster. Not part of
// `npm test` (minutes of cluster time). With no flags, `npm run bench:soak` is the soak of
// docs/measured.md: 20 runs, seeds 3000-3019, etcd with traffic, all six disruptions, 3 rounds.
//   node bench/soak.ts [--runs 20] [--first-seed 3000] [--report-dir reports/soak] [--name soak-<workload>]
//                      [--figures on|off] [any `ordinal run` flag, e.g. --workload web --kill-pattern burst]
// `ordinal run` flags given replace the defaults above. Prints one line per run and a tally,
// then writes the runs' figures to bench/results/<date>/<name>/ (bench/figures-store.ts).
// Each run's whole output (stdout and stderr) is kept in <report-dir>/soak-logs/seed-<seed>.log,
// so a slow confirmation or an alarm can be read afterwards.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../lib/run/results-schema.ts';
import { collectRuns, RESULTS_ROOT, writeSet } from './figures-store.ts';

const ALL_DISRUPTIONS = 'delete,force-delete,container-kill,evict,node-fault,kubelet-restart';
const runDefaults: Record<string, string> = { workload: 'etcd', chaos: ALL_DISRUPTIONS, rounds: '3', traffic: 'on' };

// Own flags are taken out; everything else goes to `ordinal run` verbatim (parseArgs in
// non-strict mode would read `--kill-pattern burst` as a boolean plus a positional).
const own: Record<string, string> = { runs: '20', 'first-seed': '3000', 'report-dir': 'reports/soak', name: '', figures: 'on' };
const passOn: string[] = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i] as string;
  const [flag, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
  if (flag !== undefined && flag in own) own[flag] = inline ?? argv[++i] ?? '';
  else {
    // A flag given replaces its default.
    if (flag !== undefined) delete runDefaults[flag];
    passOn.push(arg);
  }
}
const runFlags = [...Object.entries(runDefaults).flatMap(([k, v]) => [`--${k}`, v]), ...passOn];
const at = runFlags.indexOf('--workload');
const workload = (at >= 0 ? runFlags[at + 1] : runFlags.find((a) => a.startsWith('--workload='))?.slice(11)) ?? 'web';
const runs = Number(own.runs);
const firstSeed = Number(own['first-seed']);
const reportDir = String(own['report-dir']);
const name = own.name || `soak-${workload}`;
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(firstSeed)) {
  console.error('soak: --runs and --first-seed must be integers');
  process.exit(2);
}
if (own.figures !== 'on' && own.figures !== 'off') {
  console.error(`soak: --figures must be on or off, got ${JSON.stringify(own.figures)}`);
  process.exit(2);
}

const bin = path.join(import.meta.dirname, '..', 'bin', 'ordinal.js');

// A soak stopped by a signal passes it to the run in progress, which heals its faults and
// deletes its namespace, and waits for it: a run orphaned here would hold the cluster.
let current: ChildProcess | undefined;
let stoppedBy: NodeJS.Signals | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    stoppedBy = sig;
    console.log(`soak: ${sig}: stopping the run in progress (it cleans up), then the soak`);
    current?.kill(sig);
  });
}

/** One `ordinal run`, its output written to `logPath` and its stderr's tail kept for the tally line; resolves with its exit code. */
function runOnce(args: string[], logPath: string): Promise<{ status: number | null; stderr: string }> {
  const log = openSync(logPath, 'w');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', log, 'pipe'] });
    current = child;
    let stderr = '';
    child.stderr?.on('data', (b: Buffer) => {
      writeSync(log, b);
      stderr = (stderr + b.toString()).slice(-64 * 1024);
    });
    child.on('close', (status) => {
      current = undefined;
      closeSync(log);
      resolve({ status, stderr });
    });
  });
}
const tally = { passed: 0, failed: 0, error: 0 };
const alarms: string[] = [];
const ids = new Set<string>();
const soakStart = new Date();
const logDir = path.join(reportDir, 'soak-logs');
mkdirSync(logDir, { recursive: true });
for (let i = 0; i < runs && !stoppedBy; i++) {
  const seed = firstSeed + i;
  const started = performance.now();
  const logPath = path.join(logDir, `seed-${seed}.log`);
  const r = await runOnce([bin, 'run', '--seed', String(seed), '--report-dir', reportDir, ...runFlags], logPath);
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  const verdict = r.status === 0 ? 'passed' : r.status === 1 ? 'failed' : 'error';
  tally[verdict]++;
  let res: RunResult | undefined;
  try {
    res = JSON.parse(readFileSync(path.join(reportDir, 'latest', 'results.json'), 'utf8')) as RunResult;
    // `latest` still names the previous run when this one wrote no results.
    if (res.seed !== seed || ids.has(res.runId)) res = undefined;
  } catch {
    res = undefined;
  }
  if (res) ids.add(res.runId);
  let detail = '';
  if (r.status !== 0) {
    detail = res
      ? (res.error?.message ??
        res.checks
          .filter((c) => c.status === 'failed' || c.status === 'error')
          .map((c) => `${c.id} ${c.status}: ${c.message}`)
          .join('; '))
      : (r.stderr.trim().split('\n').at(-1) ?? '');
    alarms.push(`seed ${seed}${res ? ` (run ${res.runId})` : ''}: ${detail}`);
  }
  console.log(
    `run ${i + 1}/${runs} seed ${seed}${res ? ` ${res.runId}` : ''}: exit ${r.status} (${verdict}) in ${secs}s${detail ? ` — ${detail}; log ${logPath}` : ''}`,
  );
}
const wall = (Date.now() - soakStart.getTime()) / 1000;
if (stoppedBy) console.log(`soak: stopped by ${stoppedBy} after ${ids.size} runs with results`);
console.log(
  `soak: ${runs} runs (${runFlags.join(' ')}): ${tally.passed} passed, ${tally.failed} failed, ${tally.error} error; wall ${Math.floor(wall / 60)} min ${Math.round(wall % 60)} s`,
);
for (const a of alarms) console.log(`  ${a}`);

if (own.figures === 'on' && ids.size > 0) {
  const last = firstSeed + runs - 1;
  const command = `npm run bench:soak${argv.length ? ` -- ${argv.join(' ')}` : ''} (${runs} × ordinal run --seed ${runs > 1 ? `${firstSeed}…${last}` : firstSeed} ${runFlags.join(' ')}; wall ${Math.round(wall / 60)} min)`;
  const date = soakStart.toISOString().slice(0, 10);
  writeSet(RESULTS_ROOT, { name, workload, date, command }, collectRuns([reportDir], workload, ids));
  console.log(`soak: figures in bench/results/${date}/${name}/ (commit them; \`npm run bench:figures -- --docs\` renders the docs)`);
}
process.exit(stoppedBy ? 130 : tally.failed + tally.error === 0 ? 0 : 1);
