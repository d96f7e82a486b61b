// Shared by the fault specs: run Ordinal in-process against the real local cluster with
// a hook that plants a fault mid-run (faultRun), and the assertions every spec makes
// (check status, named subject, exit code). Component outages live in components.ts,
// kubectl-like planting in planting.ts; both are re-exported here. Nothing here talks to
// an address off this machine.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect } from 'chai';
import { planRounds } from '../../lib/chaos/plan.ts';
import { parseRunArgs } from '../../lib/cli/args.ts';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { exitCodeOf } from '../../lib/report/stats.ts';
import { executeRun, type HookContext, type RunHook } from '../../lib/run/execute.ts';
import type { CheckInput, CheckResult, CheckStatus } from '../../lib/checks/api.ts';
import type { DisruptionName, Evidence, KillPattern } from '../../lib/model.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';
import { connectTestCluster } from '../integration/helpers.ts';
import { expectClusterHealthy } from './components.ts';

export { connectTestCluster };

// ---------------------------------------------------------------- running a run

export interface FaultRun {
  result: RunResult;
  /** What the checks saw (timeline.json; the traffic's history for history.jsonl). */
  input?: CheckInput;
  exitCode: 0 | 1 | 2;
  log: string[];
  ms: number;
}

/**
 * One run of the web workload (3 replicas unless argv says otherwise) on the cluster
 * in $KUBECONFIG, with `hook` planting the fault. A hook that throws ends the run with
 * result.error, so a fault that could not be planted fails the spec instead of passing.
 */
export async function runWithFault(argv: string[], hook: RunHook): Promise<FaultRun> {
  if (!process.env.KUBECONFIG) throw new Error('no cluster: run `npm run cluster:up` and export KUBECONFIG');
  // A --target run takes workload and replicas from the StatefulSet and refuses them as flags.
  const sample = argv.includes('--target') ? [] : ['--workload', 'web', '--replicas', '3'];
  // No update phase unless the spec asks for one (--update): the seed's default would change what it plants into.
  const update = argv.some((a) => a === '--update' || a.startsWith('--update=')) ? [] : ['--update', 'none'];
  const args = parseRunArgs([...sample, '--dns-budget', '5', ...update, ...argv]);
  const log: string[] = [];
  const started = performance.now();
  const out = await executeRun({
    ...args,
    kubeconfig: process.env.KUBECONFIG,
    hook,
    log: (line) => {
      log.push(`[${((performance.now() - started) / 1000).toFixed(1)}s] ${line}`);
      if (process.env.ORDINAL_FAULTS_VERBOSE) console.log(log.at(-1));
    },
  });
  return {
    result: out.result,
    ...(out.input ? { input: out.input } : {}),
    exitCode: exitCodeOf(out.result),
    log,
    ms: performance.now() - started,
  };
}

/** What a fault spec's tests read: set by the `before` that faultRun adds. */
export interface FaultContext {
  readonly run: FaultRun;
  readonly cluster: Cluster;
}

export interface FaultRunSpec {
  /** The run's flags (runWithFault adds the web sample's); a function when they depend on `setup`. */
  argv: string[] | (() => string[]);
  hook: RunHook;
  /** For the whole describe: the run, the tests and the health wait (default 360 s). */
  timeoutMs?: number;
  /** Before the run, once connected: what the fault needs in place first. */
  setup?: (cluster: Cluster) => Promise<void>;
  /** In `after`, whatever happened and before the health wait: undo what the fault left behind. */
  cleanup?: (cluster: Cluster | undefined) => Promise<void>;
  /** The health wait in `after` (expectClusterHealthy's options). */
  healthy?: { timeoutMs?: number; stableMs?: number };
  /** More for the run's summary line; awaited in `before`, so a rejection fails the spec. */
  summary?: (run: FaultRun) => string | Promise<string>;
}

/**
 * A describe with one fault run in `before` and the cluster's health checked in `after`
 * (so the next spec does not start on a cluster the fault left broken); `tests` adds
 * the `it`s, which read the run and the cluster from the context once `before` is done.
 */
export function faultRun(title: string, spec: FaultRunSpec, tests: (t: FaultContext) => void): void {
  describe(title, function () {
    this.timeout(spec.timeoutMs ?? 360_000);
    let cluster: Cluster | undefined;
    let run: FaultRun | undefined;
    const t: FaultContext = {
      get run() {
        if (!run) throw new Error('no fault run: its before hook did not finish');
        return run;
      },
      get cluster() {
        if (!cluster) throw new Error('no cluster: the before hook did not connect');
        return cluster;
      },
    };

    before(async function () {
      cluster = await connectTestCluster();
      await spec.setup?.(cluster);
      const r = await runWithFault(typeof spec.argv === 'function' ? spec.argv() : spec.argv, spec.hook);
      run = r;
      const more = spec.summary ? `; ${await spec.summary(r)}` : '';
      console.log(`      run ${r.result.runId}: ${(r.ms / 1000).toFixed(1)}s, exit ${r.exitCode}${more}`);
    });

    after(async function () {
      await spec.cleanup?.(cluster);
      if (cluster) await expectClusterHealthy(cluster, spec.healthy);
    });

    tests(t);
  });
}

/**
 * The first seed whose round 1 (of `opts.replicas`, default 3) kills exactly `pods`, each with `action`
 * when given (drawn from `opts.chaos`, in `opts.pattern`, when given): found from the planner itself, so a spec states what it needs killed and
 * stays right if the planner's draws change. The run log prints the seed for replay.
 */
export function seedKilling(
  statefulSet: string,
  pods: string[],
  action?: DisruptionName,
  opts: { chaos?: DisruptionName[]; pattern?: KillPattern; replicas?: number } = {},
): number {
  const want = [...pods].sort().join(',');
  for (let seed = 1; seed < 100_000; seed++) {
    const round = planRounds({
      seed,
      statefulSet,
      replicas: opts.replicas ?? 3,
      rounds: 1,
      ...(opts.chaos ? { actions: opts.chaos } : {}),
    })[0];
    const kills = round?.kills ?? [];
    if (opts.pattern && round?.pattern !== opts.pattern) continue;
    if (
      kills
        .map((k) => k.pod)
        .sort()
        .join(',') === want &&
      kills.every((k) => !action || k.action === action)
    )
      return seed;
  }
  throw new Error(`no seed below 100000 kills exactly ${want} in round 1`);
}

/** A hook that acts only at `phase` (and `round`, if given); every other phase passes through. */
export function at(phase: HookContext['phase'], fn: (ctx: HookContext) => Promise<void>, round?: number): RunHook {
  return async (ctx) => {
    if (ctx.phase === phase && (round === undefined || ctx.round === round)) await fn(ctx);
  };
}

/** Several phase hooks as one. */
export function hooks(...all: RunHook[]): RunHook {
  return async (ctx) => {
    for (const h of all) await h(ctx);
  };
}

// ---------------------------------------------------------------- assertions

const showEvidence = (e: Evidence[]): string =>
  e
    .slice(0, 15)
    .map(
      (x) =>
        `  - ${x.subject}${x.expected !== undefined ? ` | expected ${x.expected}` : ''}${x.observed !== undefined ? ` | observed ${x.observed}` : ''}${x.note ? ` (${x.note})` : ''}`,
    )
    .join('\n');

export function describeRun(run: FaultRun): string {
  const checks = run.result.checks.map((c) => `  ${c.id}: ${c.status}: ${c.message}`).join('\n');
  const err = run.result.error
    ? `\nrun error: ${run.result.error.message}${run.result.error.detail ? `\n${run.result.error.detail}` : ''}`
    : '';
  return `exit ${run.exitCode} after ${(run.ms / 1000).toFixed(0)}s${err}\nchecks:\n${checks || '  (none)'}\nrun log (last 40 lines):\n${run.log.slice(-40).join('\n')}`;
}

/**
 * Asserts `id` ended with `status` and that one evidence item names `subject` (exact
 * match, or a pattern). Returns the check for further assertions.
 */
export function expectCheck(run: FaultRun, id: string, status: CheckStatus, subject: string | RegExp): CheckResult {
  const c = run.result.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no result for ${id}\n${describeRun(run)}`);
  const detail = `${id} ${c.status}: ${c.message}\n${showEvidence(c.evidence)}`;
  expect(c.status, `${detail}\n\n${describeRun(run)}`).to.equal(status);
  const named = c.evidence.some((e) => (typeof subject === 'string' ? e.subject === subject : subject.test(e.subject)));
  expect(named, `no evidence of ${id} names ${String(subject)}:\n${detail}`).to.equal(true);
  console.log(`      ${id} ${c.status}: ${c.message}`);
  return c;
}

/**
 * STS-WRITES-DURABLE failed naming `pod` and its keys (<run id>-<pod>-<n>) and none of
 * `untouched`, and results.json counts lost writes, every one of them `pod`'s.
 */
export function expectWritesLostThrough(run: FaultRun, pod: string, untouched: readonly string[]): void {
  const c = expectCheck(run, 'STS-WRITES-DURABLE', 'failed', `pod ${pod}`);
  const e = c.evidence.find((x) => x.subject === `pod ${pod}`);
  if (!e?.observed?.includes(`${run.result.runId}-${pod}-`)) throw new Error(`evidence does not name ${pod}'s keys: ${JSON.stringify(e)}`);
  if (c.evidence.some((x) => untouched.some((u) => x.subject === `pod ${u}`))) throw new Error(`untouched pods named: ${c.message}`);
  const tr = run.result.traffic;
  if (!tr || tr.counts.lost === 0 || tr.lost.some((k) => k.pod !== pod))
    throw new Error(`traffic summary: ${JSON.stringify(tr?.counts)} ${JSON.stringify(tr?.lost.slice(0, 3))}`);
}

export function expectExit(run: FaultRun, code: 0 | 1 | 2): void {
  expect(run.exitCode, describeRun(run)).to.equal(code);
}

/** The evidence of `check` as one string, for "mentions X" assertions. */
export const evidenceText = (c: CheckResult): string =>
  [c.message, ...c.evidence.map((e) => `${e.subject} ${e.expected ?? ''} ${e.observed ?? ''} ${e.note ?? ''}`)].join('\n');
export * from './components.ts';
export * from './planting.ts';

// ---------------------------------------------------------------- the history client's image

/**
 * The tag the history-client specs run: their own, so that another branch's
 * `npm run image -- --import` cannot replace it mid-run.
 */
export const CLIENT_TEST_IMAGE = 'ghcr.io/ordinal-sts/ordinal:history-client-test';

/** Builds Ordinal's image (cached by content) and imports it into the local cluster as CLIENT_TEST_IMAGE. */
export async function importClientImage(): Promise<void> {
  const script = path.resolve(import.meta.dirname, '../../cluster/scripts/ordinal-image.sh');
  const r = spawnSync('bash', [script, '--import'], {
    encoding: 'utf8',
    timeout: 280_000,
    env: { ...process.env, ORDINAL_IMAGE_REF: CLIENT_TEST_IMAGE },
  });
  if (r.status !== 0) throw new Error(`ordinal-image.sh --import failed (exit ${r.status ?? r.signal}):\n${r.stderr}`);
}
