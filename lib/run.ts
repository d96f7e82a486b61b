// One run, start to finish: namespace, deploy, rollout, baseline, chaos rounds,
// after-snapshot, judgement, cleanup. I/O happens here and in the modules it calls;
// the verdict comes from the pure checks over what was recorded.
import { randomBytes } from 'node:crypto';
import { planRounds } from './chaos/plan.ts';
import { killPod } from './chaos/execute.ts';
import { runChecks } from './checks/catalog.ts';
import { clusterFacts, connect, type Cluster } from './cluster.ts';
import { ClusterError, describeError } from './errors.ts';
import { createRunNamespace, deleteRunNamespace, onEveryExit } from './namespace.ts';
import { openDnsProbe, type DnsProbe } from './probes/dns.ts';
import { Recorder } from './recorder.ts';
import { recoveriesForRound } from './recovery.ts';
import { takeSnapshot } from './snapshot.ts';
import type { CheckInput, ClusterFacts, RoundPlan, RoundResult, RunResult } from './types.ts';
import type { Workload, WorkloadOptions } from './workloads/common.ts';
import { deployWorkload, scaleDown, waitConverged, waitRollout } from './rollout.ts';
import { buildWorkload, type WorkloadKind } from './workloads/index.ts';

export interface RunOptions {
  kubeconfig?: string;
  context?: string;
  workload: WorkloadKind;
  replicas: number;
  rounds: number;
  seed: number;
  image: string;
  storageClass?: string;
  claimSize: string;
  /** Budget for each wait (rollout, each round's recovery), in seconds. */
  timeoutSeconds: number;
  keepNamespace: boolean;
  dnsServer?: string;
  /** How long DNS may take to follow a recreated pod (covers resolver cache TTLs). */
  dnsBudgetSeconds: number;
  replay: string;
  log: (line: string) => void;
  /** Called at each phase boundary; fault tests use it to plant a real fault mid-run. */
  hook?: RunHook;
}

/** Where a run is when it calls its hook. `round` is set for the round phases. */
export type RunPhase = 'after-deploy' | 'after-rollout' | 'after-baseline' | 'before-kills' | 'after-kills' | 'after-round' | 'before-after-snapshot' | 'scale-down-requested';

export interface HookContext {
  phase: RunPhase;
  round?: number;
  cluster: Cluster;
  workload: Workload;
  recorder: Recorder;
  log: (line: string) => void;
}

export type RunHook = (ctx: HookContext) => Promise<void>;

export interface RunOutput {
  result: RunResult;
  /** Everything the checks saw: kept next to the reports for debugging and fixtures. */
  input?: CheckInput;
}

export function newRunId(date = new Date()): string {
  const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`.toLowerCase();
}

export async function executeRun(opts: RunOptions): Promise<RunOutput> {
  const started = new Date();
  const runId = newRunId(started);
  const log = opts.log;
  const cluster = await connect({ kubeconfig: opts.kubeconfig, context: opts.context, log });
  const facts = await clusterFacts(cluster, opts.storageClass, opts.image);
  const namespace = `ordinal-${runId}`;
  const wopts: WorkloadOptions = {
    namespace, runId, replicas: opts.replicas, image: opts.image, storageClass: facts.storageClass, claimSize: opts.claimSize,
  };
  const workload = buildWorkload(opts.workload, wopts);
  const plan = planRounds({ seed: opts.seed, statefulSet: workload.info.statefulSet, replicas: opts.replicas, rounds: opts.rounds });
  log(`run ${runId}: ${opts.workload} x${opts.replicas}, ${opts.rounds} rounds, seed ${opts.seed}, namespace ${namespace}`);
  log(`cluster ${facts.version} at ${facts.server} (context ${facts.context}; ${cluster.source}), storage class ${facts.storageClass}`);

  const recorder = new Recorder(cluster, namespace, { log });
  let dns: DnsProbe | undefined;
  let creating: Promise<void> | undefined;
  const cleanup = onEveryExit(async () => {
    recorder.stop();
    dns?.close();
    if (opts.keepNamespace) {
      log(`keeping namespace ${namespace} (--keep-namespace); remove it with 'ordinal cleanup'`);
      return;
    }
    let deleted = await deleteRunNamespace(cluster, namespace, runId);
    if (!deleted && creating) {
      // Interrupted while the create was in flight: it may land after the first look.
      await creating.catch(() => undefined);
      deleted = await deleteRunNamespace(cluster, namespace, runId);
    }
    if (deleted) log(`deleted namespace ${namespace}`);
  }, log);

  const base = { runId, seed: opts.seed, started, facts, workload, opts };
  const rounds: RoundResult[] = [];
  try {
    creating = createRunNamespace(cluster, namespace, runId);
    await creating;
    await recorder.start();
    recorder.mark('deploy');
    await deployWorkload(cluster, workload);
    await opts.hook?.({ phase: 'after-deploy', cluster, workload, recorder, log });
    const revision = await waitRollout(cluster, recorder, workload, opts.timeoutSeconds * 1000, opts.image);
    recorder.mark('rollout-complete');
    log(`rollout complete: ${recorder.podSummary()}`);
    const hook = async (phase: RunPhase, round?: number): Promise<void> => {
      await opts.hook?.({ phase, ...(round !== undefined ? { round } : {}), cluster, workload, recorder, log });
    };
    await hook('after-rollout');

    dns = await openDnsProbe(cluster, opts.dnsServer);
    log(`DNS probe: ${dns.target}`);
    const snapCtx = { cluster, recorder, workload, dns, dnsBudgetMs: opts.dnsBudgetSeconds * 1000 };
    recorder.mark('baseline');
    const baseline = await takeSnapshot(snapCtx, 'write');
    log(`baseline: ${baseline.pods.length} pods, ${baseline.sentinels.length} sentinels written and synced`);
    await hook('after-baseline');

    for (const p of plan) {
      const r = await chaosRound(cluster, recorder, workload, p, revision, opts, hook);
      rounds.push(r);
      await hook('after-round', p.round);
      if (!r.converged) break;
    }

    await hook('before-after-snapshot');
    recorder.mark('after');
    const after = await takeSnapshot(snapCtx, 'read');
    if (opts.replicas >= 2 && rounds.every((r) => r.converged)) {
      // A scale-down that cannot finish must not cost the run its other verdicts:
      // the marker says why, and STS-ORDER-SCALEDOWN reports it as an error.
      try {
        await scaleDown(cluster, recorder, workload, 1, opts.timeoutSeconds * 1000, () => hook('scale-down-requested'));
        log(`scaled down ${opts.replicas} -> 1`);
      } catch (err) {
        recorder.mark('scale-down-complete', { detail: `aborted: ${describeError(err)}` });
        log(`scale-down did not finish: ${describeError(err)}`);
      }
    }
    const input: CheckInput = { workload: workload.info, timeline: recorder.timeline, baseline, after, rounds };
    const checks = runChecks(input);
    return { result: assemble(base, checks, rounds), input };
  } catch (err) {
    const detail = err instanceof ClusterError ? err.detail : undefined;
    log(`run failed: ${describeError(err)}${detail ? `\n${detail}` : ''}`);
    const result = assemble(base, [], rounds);
    result.error = { message: describeError(err), ...(detail ? { detail } : {}) };
    return { result };
  } finally {
    await cleanup();
  }
}

async function chaosRound(
  cluster: Cluster, recorder: Recorder, workload: Workload, p: RoundPlan, revision: string, opts: RunOptions,
  hook: (phase: RunPhase, round?: number) => Promise<void>,
): Promise<RoundResult> {
  const ns = workload.info.namespace;
  await hook('before-kills', p.round);
  const start = recorder.mark('round-start', { round: p.round });
  const before = new Map(p.kills.map((k) => [k.pod, recorder.pods.get(k.pod)?.uid ?? '']));
  // Kills go out lowest ordinal first, each once the watch shows it took effect. Fired
  // all at once, the API server may apply them in any order, and the controller may
  // then (correctly, from what it saw) recreate web-1 before web-0's deletion reached
  // it; the ordering checks could not tell that race from a broken guarantee.
  for (const k of p.kills) {
    const uid = before.get(k.pod) ?? '';
    recorder.mark('kill', { round: p.round, pod: k.pod, detail: k.action });
    await killPod(cluster, ns, k, uid);
    await recorder.waitFor({
      describe: `the ${k.action} of ${k.pod} to show on the watch`,
      timeoutMs: 30_000,
      until: () => {
        const s = recorder.pods.get(k.pod);
        return !s || s.uid !== uid || s.deletionTimestamp ? true : undefined;
      },
    });
  }
  await hook('after-kills', p.round);
  let converged = true;
  try {
    await waitConverged(recorder, workload, revision, before, opts.timeoutSeconds * 1000, `round ${p.round} recovery`);
  } catch (err) {
    converged = false;
    opts.log(`round ${p.round} did not converge: ${describeError(err)}${err instanceof ClusterError && err.detail ? `\n${err.detail}` : ''}`);
  }
  const end = recorder.mark('round-end', { round: p.round });
  const recoveries = recoveriesForRound(recorder.timeline, p, { start: start.t, end: end.t });
  const times = recoveries
    .map((r) => `${r.pod} ${r.readyMs === undefined ? 'not recovered' : `${(r.readyMs / 1000).toFixed(1)}s`}`)
    .join(', ');
  opts.log(`round ${p.round}/${opts.rounds}: killed ${p.kills.map((k) => `${k.pod} (${k.action})`).join(', ')}; ready again: ${times}`);
  return { plan: p, startedAt: start.t, endedAt: end.t, converged, recoveries };
}

function assemble(
  b: { runId: string; seed: number; started: Date; facts: ClusterFacts; workload: Workload; opts: RunOptions },
  checks: RunResult['checks'],
  rounds: RoundResult[],
): RunResult {
  const finished = new Date();
  const count = (s: string): number => checks.filter((c) => c.status === s).length;
  return {
    schemaVersion: 1,
    runId: b.runId,
    tool: { name: 'ordinal', version: '0.1.0' },
    seed: b.seed,
    replay: b.opts.replay,
    startedAt: b.started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - b.started.getTime(),
    cluster: b.facts,
    workload: b.workload.info,
    options: { rounds: b.opts.rounds, timeoutSeconds: b.opts.timeoutSeconds },
    checks,
    rounds,
    summary: { passed: count('passed'), failed: count('failed'), error: count('error'), skipped: count('skipped') },
  };
}

