// `npm run bench:harness`: how long the ordinal CLI takes to start and how much memory
// it peaks at, for the commands that need no cluster and for real runs of growing size.
// Not part of `npm test`: the numbers depend on the machine and the cluster.
//
//   npm run bench:harness                          # startup cases, then runs with 3 and 20 replicas
//   npm run bench:harness -- --no-runs             # startup cases only (no cluster needed)
//   npm run bench:harness -- --with-100            # also a 100-replica run (slow; time-boxed)
//   npm run bench:harness -- --repo ../other-checkout --json out.json
//
// Real runs use the cluster in KUBECONFIG, like `ordinal run`. Each measured process is
// a fresh `node <repo>/bin/ordinal.js …`; its peak RSS comes from getrusage inside it
// (bench/rss-probe.js, preloaded), its time from the wall clock around the child.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PROBE = path.join(HERE, 'rss-probe.js');

interface Measurement {
  name: string;
  command: string;
  samples: number;
  /** Median wall time over the samples, ms. */
  medianMs: number;
  minMs: number;
  /** Highest peak RSS over the samples, MB. */
  peakRssMb: number;
  exitCodes: number[];
  timedOut: boolean;
}

interface Sample {
  ms: number;
  rssKb: number;
  code: number;
  timedOut: boolean;
}

const { values } = parseArgs({
  options: {
    repo: { type: 'string' },
    samples: { type: 'string', default: '5' },
    replicas: { type: 'string', default: '3,20' },
    rounds: { type: 'string', default: '3' },
    'with-100': { type: 'boolean', default: false },
    'no-runs': { type: 'boolean', default: false },
    'run-timeout': { type: 'string', default: '1800' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  strict: true,
});

if (values.help) {
  console.log(`Usage: npm run bench:harness -- [flags]
  --repo <dir>          checkout whose bin/ordinal.js is measured (default: this one)
  --samples <n>         runs of each startup case; the median time is reported (default 5)
  --replicas <list>     replica counts for real runs, comma-separated (default 3,20)
  --rounds <n>          chaos rounds per real run (default 3)
  --with-100            add a 100-replica run
  --run-timeout <s>     time box per real run; then SIGTERM, which deletes the namespace (default 1800)
  --no-runs             only the startup cases; no cluster needed
  --json <file>         also write the measurements as JSON`);
  process.exit(0);
}

const repo = path.resolve(values.repo ?? path.join(HERE, '..'));
const bin = path.join(repo, 'bin', 'ordinal.js');
const samples = positive('samples', values.samples);
const runTimeoutMs = positive('run-timeout', values['run-timeout']) * 1000;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ordinal-bench-'));

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`bench: --${name} must be a positive integer, got "${text}"`);
    process.exit(2);
  }
  return n;
}

/** One child process: wall time around it, peak RSS from inside it. */
function measureOnce(args: string[], timeoutMs: number, echo: boolean, extraEnv: Record<string, string>, quiet = false): Promise<Sample> {
  const rssFile = path.join(scratch, `rss-${process.hrtime.bigint()}`);
  const env = {
    ...process.env,
    ...extraEnv,
    ORDINAL_BENCH_RSS_FILE: rssFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${PROBE}`.trim(),
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: repo,
      env,
      stdio: ['ignore', echo ? 'inherit' : 'ignore', quiet ? 'ignore' : 'inherit'],
    });
    let timedOut = false;
    // SIGTERM, not SIGKILL: ordinal deletes its namespace on SIGTERM and exits 143.
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
    }, timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const ms = performance.now() - started;
      let rssKb = Number.NaN;
      try {
        rssKb = Number(readFileSync(rssFile, 'utf8'));
      } catch {
        // Killed by a signal it did not handle: no exit hook ran, so no number.
      }
      resolve({ ms, rssKb, code: code ?? (signal ? 128 : -1), timedOut });
    });
  });
}

async function measure(
  name: string,
  args: string[],
  n: number,
  timeoutMs: number,
  echo = false,
  extraEnv: Record<string, string> = {},
): Promise<Measurement> {
  const runs: Sample[] = [];
  for (let i = 0; i < n; i++) runs.push(await measureOnce(args, timeoutMs, echo, extraEnv));
  const times = runs.map((r) => r.ms).sort((a, b) => a - b);
  return {
    name,
    command: `ordinal ${args.join(' ')}`,
    samples: n,
    medianMs: times[Math.floor((times.length - 1) / 2)] ?? Number.NaN,
    minMs: times[0] ?? Number.NaN,
    peakRssMb: Math.max(...runs.map((r) => r.rssKb)) / 1024,
    exitCodes: runs.map((r) => r.code),
    timedOut: runs.some((r) => r.timedOut),
  };
}

function row(m: Measurement): string {
  const time = m.medianMs >= 10_000 ? `${(m.medianMs / 1000).toFixed(1)} s` : `${Math.round(m.medianMs)} ms`;
  const rss = Number.isFinite(m.peakRssMb) ? `${m.peakRssMb.toFixed(1)} MB` : 'n/a';
  const exits = [...new Set(m.exitCodes)].join(',');
  return `${m.name.padEnd(22)} ${time.padStart(10)} ${rss.padStart(10)}   exit ${exits}${m.timedOut ? ' (time box hit)' : ''}`;
}

const results: Measurement[] = [];
console.log(`bench: ${bin} on node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0]?.toFixed(2)}`);
console.log(`${'case'.padEnd(22)} ${'time'.padStart(10)} ${'peak RSS'.padStart(10)}`);
// bin/ordinal.js turns on Node's compile cache; the first case shows a start without it
// (a fresh machine, or a read-only tmpdir), the rest the usual warm start.
const noCache = { NODE_DISABLE_COMPILE_CACHE: '1' };
const startup: [string, string[], Record<string, string>][] = [
  ['checks (no cache)', ['checks'], noCache],
  ['checks', ['checks'], {}],
  ['run --help', ['run', '--help'], {}],
  ['run --dry-run', ['run', '--dry-run', '--seed', '42'], {}],
];
// One untimed start per case first: after an edit, the first start re-strips and
// re-caches the changed files, which is a one-off, not what a user sees each time.
for (const [, args] of startup) await measureOnce(args, 60_000, false, {});
for (const [name, args, extraEnv] of startup) {
  const m = await measure(name, args, samples, 60_000, false, extraEnv);
  results.push(m);
  console.log(row(m));
}

if (!values['no-runs']) {
  const counts = values.replicas
    .split(',')
    .filter(Boolean)
    .map((r) => positive('replicas', r));
  if (values['with-100'] && !counts.includes(100)) counts.push(100);
  // Warms the compile cache for the run's modules (lib/run/execute.ts and the Kubernetes client):
  // `run` with a kubeconfig that does not exist loads them all, then exits 2 at once.
  await measureOnce(
    ['run', '--kubeconfig', path.join(scratch, 'no-such-kubeconfig'), '--report-dir', path.join(scratch, 'warm')],
    60_000,
    false,
    {},
    true,
  );
  for (const replicas of counts) {
    // A rollout is OrderedReady, one pod after another: give each wait room to grow with
    // the replica count instead of failing a big run on the default 300 s.
    const timeout = String(Math.max(300, replicas * 15));
    const reportDir = path.join(scratch, `reports-${replicas}`);
    const args = [
      'run',
      '--replicas',
      String(replicas),
      '--rounds',
      values.rounds,
      '--seed',
      '42',
      '--timeout',
      timeout,
      '--report-dir',
      reportDir,
    ];
    console.log(`--- real run, ${replicas} replicas (time box ${runTimeoutMs / 1000} s)`);
    const m = await measure(`run ${replicas} replicas`, args, 1, runTimeoutMs, true);
    results.push(m);
    console.log(row(m));
  }
}

console.log('\nsummary');
for (const m of results) console.log(row(m));
if (values.json)
  writeFileSync(values.json, `${JSON.stringify({ bin, node: process.version, at: new Date().toISOString(), results }, null, 2)}\n`);
rmSync(scratch, { recursive: true, force: true });
