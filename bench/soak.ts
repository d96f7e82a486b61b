// Soak: N consecutive real runs with one kill pattern, to count false alarms on a healthy
// cluster. Not part of `npm test` (minutes of cluster time); numbers go into notes and docs/measured.md.
//   node bench/soak.ts --runs 20 --kill-pattern burst [--workload web] [--rounds 3] [--first-seed 1000]
// Every extra flag is passed on to `ordinal run`. Prints one line per run and a summary;
// `node bench/figures.ts --workload <w> <report-dir>` then aggregates the runs' figures.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

// Own flags are taken out; everything else goes to `ordinal run` verbatim (parseArgs in
// non-strict mode would read `--kill-pattern burst` as a boolean plus a positional).
const own: Record<string, string> = { runs: '20', 'first-seed': '1000', 'report-dir': 'reports/soak' };
const passOn: string[] = [];
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  const arg = argv[i] as string;
  const [flag, inline] = arg.startsWith('--') ? arg.slice(2).split(/=(.*)/s, 2) : [undefined, undefined];
  if (flag !== undefined && flag in own) own[flag] = inline ?? argv[++i] ?? '';
  else passOn.push(arg);
}
const runs = Number(own.runs);
const firstSeed = Number(own['first-seed']);
const reportDir = String(own['report-dir']);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(firstSeed)) {
  console.error('soak: --runs and --first-seed must be integers');
  process.exit(2);
}

const bin = path.join(import.meta.dirname, '..', 'bin', 'ordinal.js');
const tally = { passed: 0, failed: 0, error: 0 };
const alarms: string[] = [];
for (let i = 0; i < runs; i++) {
  const seed = firstSeed + i;
  const started = performance.now();
  const r = spawnSync(process.execPath, [bin, 'run', '--seed', String(seed), '--report-dir', reportDir, ...passOn], { encoding: 'utf8' });
  const secs = ((performance.now() - started) / 1000).toFixed(1);
  const verdict = r.status === 0 ? 'passed' : r.status === 1 ? 'failed' : 'error';
  tally[verdict]++;
  let detail = '';
  if (r.status !== 0) {
    try {
      const res = JSON.parse(readFileSync(path.join(reportDir, 'latest', 'results.json'), 'utf8')) as {
        checks: { id: string; status: string; message: string }[];
        error?: { message: string };
      };
      detail =
        res.error?.message ??
        res.checks
          .filter((c) => c.status === 'failed' || c.status === 'error')
          .map((c) => `${c.id} ${c.status}: ${c.message}`)
          .join('; ');
    } catch {
      detail = r.stderr.trim().split('\n').at(-1) ?? '';
    }
    alarms.push(`seed ${seed}: ${detail}`);
  }
  console.log(`run ${i + 1}/${runs} seed ${seed}: exit ${r.status} (${verdict}) in ${secs}s${detail ? ` — ${detail}` : ''}`);
}
console.log(
  `soak: ${runs} runs (${passOn.join(' ') || 'default options'}): ${tally.passed} passed, ${tally.failed} failed, ${tally.error} error`,
);
for (const a of alarms) console.log(`  ${a}`);
process.exit(tally.failed + tally.error === 0 ? 0 : 1);
