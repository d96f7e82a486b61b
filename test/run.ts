// `npm test`: every test group in two mocha processes, one after the other.
// 1. serial: unit, browser, and the specs in test/integration/serial/ and
//    test/faults/serial/: they stop cluster components or nodes, build and import images,
//    or delete every labelled namespace (`ordinal cleanup --yes`), so nothing else may run
//    beside them;
// 2. parallel: the other integration and fault specs, each a real run in a namespace of
//    its own, with `--parallel --jobs N` (ORDINAL_TEST_JOBS, default 2): they spend most of
//    their time waiting on the cluster, so two at once halve that part of CI on 2 cores.
// The cluster is set up once, here, so both processes (and mocha's workers) use the same
// KUBECONFIG. The last line sums both groups' "N passed, N failed, N skipped".
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripVTControlCharacters } from 'node:util';
import { localClusterScripts, localKubeconfigPath } from '../lib/cluster/local.ts';
import './setup/cluster.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TOTALS = /^(\d+) passed, (\d+) failed, (\d+) skipped$/;
const jobs = process.env.ORDINAL_TEST_JOBS ?? '2';
if (!/^[1-9]\d?$/.test(jobs)) {
  process.stderr.write(`ORDINAL_TEST_JOBS must be a number from 1 to 99, got ${JSON.stringify(jobs)}\n`);
  process.exit(2);
}

// The parallel group's files, the longest integration specs first, so the workers finish
// close together (mocha hands files out in the order given, and runs a file named twice twice).
const LONGEST_FIRST = ['update', 'rbac', 'plan', 'manifest'].map((f) => `test/integration/${f}.spec.ts`);
const specsIn = (dir: string) =>
  readdirSync(path.join(ROOT, dir))
    .filter((f) => f.endsWith('.spec.ts'))
    .sort()
    .map((f) => `${dir}/${f}`);
const PARALLEL = [...new Set([...LONGEST_FIRST, ...specsIn('test/integration'), ...specsIn('test/faults')])];

interface Group {
  name: string;
  args: string[];
}

const GROUPS: Group[] = [
  {
    name: 'unit, browser, serial integration and fault specs',
    args: [
      '--require',
      'test/setup/browser.ts',
      'test/unit/**/*.spec.ts',
      'test/browser/**/*.spec.ts',
      'test/integration/serial/*.spec.ts',
      'test/faults/serial/*.spec.ts',
    ],
  },
  {
    name: `integration and fault specs, ${jobs} at a time`,
    args: ['--parallel', '--jobs', jobs, ...PARALLEL],
  },
];

interface Totals {
  passed: number;
  failed: number;
  skipped: number;
}

/**
 * The first lines of each failure mocha lists after "N failing", cut to 300 characters:
 * repeated at the very end, so a CI log that keeps only its tail still names every
 * group's failures (the first group's went out of view behind the second's output).
 */
function failureDigest(lines: readonly string[]): string[] {
  const out: string[] = [];
  // Per failure: its two title lines and the error's first line, then up to 4 lines that
  // name a check that failed or errored (the fault specs print every check's verdict).
  let head = 0;
  let verdicts = 0;
  for (const line of lines.slice(lines.findIndex((l) => /^\s+\d+ failing$/.test(l)) + 1)) {
    if (/^\s+\d+\) /.test(line)) [head, verdicts] = [3, 4];
    const keep = line.trim() !== '' && (head > 0 || (verdicts > 0 && /: (failed|error): /.test(line)));
    if (!keep) continue;
    out.push(line.length > 300 ? `${line.slice(0, 300)}…` : line);
    if (head > 0) head--;
    else verdicts--;
  }
  return out;
}

/** Runs one group, echoing its output; resolves with its exit code, the totals it printed (undefined: none) and its failures' digest. */
function runGroup(group: Group): Promise<{ code: number; totals: Totals | undefined; failures: string[] }> {
  process.stdout.write(`\n[test] ${group.name}\n`);
  const mocha = fileURLToPath(new URL('../node_modules/mocha/bin/mocha.js', import.meta.url));
  const child = spawn(process.execPath, [mocha, '--config', 'test/.mocharc.json', ...group.args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let totals: Totals | undefined;
  let pending = '';
  const seen: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop() ?? '';
    // ANSI colours out, so the digest's patterns match and it reads plainly.
    seen.push(...lines.map((l) => stripVTControlCharacters(l)));
    for (const line of lines) {
      const m = TOTALS.exec(line.trim());
      if (m) totals = { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) };
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      const m = TOTALS.exec(pending.trim());
      if (m) totals = { passed: Number(m[1]), failed: Number(m[2]), skipped: Number(m[3]) };
      resolve({ code: code ?? (signal ? 1 : 0), totals, failures: failureDigest(seen) });
    });
  });
}

// The node agent (the partition specs need it) is built from the installed package, so
// `cluster:up` on a fresh clone, before `npm install`, leaves it out: install it here, on
// the local cluster only. A failure is reported, not fatal: the specs that need the agent
// then fail saying none is running, the others still run.
const scripts = localClusterScripts();
if (scripts && process.env.KUBECONFIG === localKubeconfigPath()) {
  process.stdout.write('[test] installing the node agent on the local cluster (cluster/scripts/agent.sh)\n');
  const r = spawnSync('bash', [`${scripts}/agent.sh`], { cwd: ROOT, stdio: 'inherit', timeout: 900_000 });
  if (r.status !== 0)
    process.stdout.write(`[test] the node agent could not be installed (exit ${r.status ?? r.signal}): partition specs will fail\n`);
}

const sum: Totals = { passed: 0, failed: 0, skipped: 0 };
let failedGroups = 0;
const digests: string[] = [];
for (const group of GROUPS) {
  const { code, totals, failures } = await runGroup(group);
  if (failures.length > 0) digests.push(`\n[test] failures in ${group.name}:`, ...failures);
  if (totals) {
    sum.passed += totals.passed;
    sum.failed += totals.failed;
    sum.skipped += totals.skipped;
  }
  if (code !== 0 || !totals) {
    failedGroups++;
    process.stdout.write(`[test] ${group.name}: mocha exited ${code}${totals ? '' : ' without its closing totals line'}\n`);
  }
}
// The sum of both groups, last, in the form the per-group lines have.
if (digests.length > 0) process.stdout.write(`${digests.join('\n')}\n`);
process.stdout.write(`\n${sum.passed} passed, ${sum.failed} failed, ${sum.skipped} skipped\n`);
process.exit(failedGroups > 0 ? 1 : 0);
