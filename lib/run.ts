// One run, start to finish: namespace, deploy, rollout, baseline, chaos rounds,
// after-snapshot, judgement, cleanup. I/O happens here and in the modules it calls;
// the verdict comes from the pure checks over what was recorded.
import { newRunId } from './run-id.ts';
import { toolVersion } from './version.ts';
import { planRounds, type KillPatternOption } from './chaos/plan.ts';
import { chaosRound } from './chaos/round.ts';
import { DISRUPTIONS } from './chaos/disruptions/index.ts';
import { resolvePdb, withPdb } from './chaos/pdb.ts';
import { runChecks } from './checks/catalog.ts';
import { clusterFacts, connect, type Cluster } from './cluster.ts';
import { ClusterError, describeError } from './errors.ts';
import { CANARY_ANNOTATION, CANARY_NAME, createCanary, latencyStats, type Canary } from './canary.ts';
import { cleanupCommand, createRunNamespace, deleteRunNamespace, onEveryExit } from './namespace.ts';
import { openDnsProbe, type DnsProbe } from './probes/dns.ts';
import { Recorder } from './recorder.ts';
import { takeSnapshot } from './snapshot.ts';
import type { CheckInput, ClusterFacts, DisruptionName, RoundResult, RunResult } from './types.ts';
import type { Workload, WorkloadOptions } from './workloads/common.ts';
import { describeStsOptions, pickStsOptions, type StsOptions } from './workloads/sts-options.ts';
import { ensureStsSupport } from './sts-support.ts';
import { deleteStatefulSet, settleScaledClaims } from './retention.ts';
import { deployWorkload, scaleDown, waitRollout } from './rollout.ts';
import { buildWorkload, type WorkloadKind } from './workloads/index.ts';
import { podName, runNamespace } from './names.ts';
import { adaptProbes, prepareOwn, removeSentinels } from './adopt.ts';
import { recoveryByDisruption } from './report/stats.ts';
import { volumeBehaviour } from './timeline/volumes.ts';
import { logTraffic, openTraffic } from './traffic/session.ts';
import { describeUpdate, type UpdateMode } from './update/mode.ts';
import { UpdateSession } from './update/session.ts';
import { summarizeTraffic } from './traffic/availability.ts';

/** The StatefulSet spec options (--pod-management, --start-ordinal, …) are fields of their own. */
export interface RunOptions extends StsOptions {
  kubeconfig?: string;
  context?: string;
  workload: WorkloadKind;
  replicas: number;
  rounds: number;
  seed: number;
  /** How each round's kills go out; `mixed` lets the seed pick per round. */
  killPattern: KillPatternOption;
  /** The disruptions the planner draws from (--chaos), in registry order. */
  chaos: DisruptionName[];
  /** --node-fault-command: '<cmd> {action} {node}' for node-fault and kubelet-restart. */
  nodeFaultCommand?: string;
  /** How long the sample pods tolerate an unreachable or not-ready node (s). */
  tolerationSeconds: number;
  /** --pdb as given; absent: max-unavailable=1 when evict is enabled, else none. */
  pdb?: string;
  image: string;
  storageClass?: string;
  claimSize: string;
  /** Budget for each wait (rollout, each round's recovery), in seconds. */
  timeoutSeconds: number;
  keepNamespace: boolean;
  dnsServer?: string;
  /** How long DNS may take to follow a recreated pod (covers resolver cache TTLs). */
  dnsBudgetSeconds: number;
  /** `<namespace>/<statefulset>`: chaos against a StatefulSet already running (lib/target.ts). */
  target?: string;
  /** A user's manifest deployed into the run namespace instead of a sample (lib/workloads/manifest.ts). */
  manifest?: string;
  /** `off`: no sentinel file is written into the volumes (STS-DATA-SENTINEL skipped). */
  sentinel?: 'on' | 'off';
  /** `on` (default): traffic during chaos for workloads with a driver (lib/traffic/); `off`: none. */
  traffic?: 'on' | 'off';
  /** Writes per second across all pods. */
  trafficRate?: number;
  /** --target/--manifest: the claim (or a directory in its mount) that holds the sentinel. */
  sentinelPath?: string;
  /** --target/--manifest: overrides the domain read from a pod's resolv.conf. */
  clusterDomain?: string;
  /** --update, resolved (lib/cli/args.ts resolveUpdate); absent: none. */
  update?: UpdateMode;
  /** The round whose start applies the update (from the seed). */
  updateRound?: number;
  /** Whether --update was given or the seed chose it (an explicit image update without a known second tag is an error). */
  updateSource?: 'flag' | 'seed';
  /** Why the update is none, or was changed from the seed's choice. */
  updateNote?: string;
  /** --update-image. */
  updateImage?: string;
  replay: string;
  log: (line: string) => void;
  /** Called at each phase boundary; fault tests use it to plant a real fault mid-run. */
  hook?: RunHook;
}

/** Where a run is when it calls its hook. `round` is set for the round phases. */
export type RunPhase =
  | 'after-deploy' | 'after-rollout' | 'after-baseline' | 'before-kills' | 'update-started' | 'after-kills' | 'after-round' | 'before-after-snapshot'
  | 'scale-down-requested' | 'claims-scaled' | 'statefulset-deleted';

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

export { newRunId };

export async function executeRun(opts: RunOptions): Promise<RunOutput> {
  const started = new Date();
  const runId = newRunId(started);
  const log = opts.log;
  const cluster = await connect({ kubeconfig: opts.kubeconfig, context: opts.context, log });
  // --target / --manifest: the user's StatefulSet (lib/adopt.ts); a --target run owns no namespace.
  const own = await prepareOwn(cluster, opts, runNamespace(runId), runId);
  const target = own?.mode === 'target';
  const facts = own ? await clusterFacts(cluster, own.storageClass, own.image, true) : await clusterFacts(cluster, opts.storageClass, opts.image);
  const namespace = own?.workload.info.namespace ?? runNamespace(runId);
  const wopts: WorkloadOptions = {
    namespace, runId, replicas: opts.replicas, image: opts.image, storageClass: facts.storageClass, claimSize: opts.claimSize,
    sts: pickStsOptions(opts),
    tolerationSeconds: opts.tolerationSeconds,
  };
  // A PodDisruptionBudget is the run's own object: a user's StatefulSet keeps whatever budget it has.
  const workload = own?.workload ?? withPdb(buildWorkload(opts.workload, wopts), resolvePdb(opts.chaos, opts.pdb));
  if (!own && opts.sentinel === 'off') workload.sentinelSkip = 'the sentinel is off (--sentinel off): nothing is written into the volumes';
  const replicas = workload.info.replicas;
  // What a disruption needs from the cluster is checked before anything is created.
  for (const name of opts.chaos) {
    const problem = await DISRUPTIONS[name].preflight?.({ cluster, facts, enabled: opts.chaos, pdb: opts.pdb ?? '', ...(opts.nodeFaultCommand ? { nodeFaultCommand: opts.nodeFaultCommand } : {}) });
    if (problem) throw new ClusterError(`--chaos ${name} cannot run on this cluster: ${problem}`);
  }
  const plan = planRounds({
    seed: opts.seed, statefulSet: workload.info.statefulSet, replicas, rounds: opts.rounds, pattern: opts.killPattern, actions: opts.chaos,
    startOrdinal: workload.info.options?.startOrdinal ?? opts.startOrdinal,
  });
  log(`run ${runId}: ${own?.label ?? opts.workload} x${replicas}, ${opts.rounds} rounds (${opts.killPattern} kills: ${opts.chaos.join(', ')}), seed ${opts.seed}, namespace ${namespace}`);
  if (!own) log(`StatefulSet options: ${describeStsOptions(pickStsOptions(opts))}`);
  const update = opts.update ?? 'none';
  log(describeUpdate(update, opts.updateRound, opts.rounds, opts.updateSource ?? 'flag', opts.updateImage, opts.updateNote));
  log(`cluster ${facts.version} at ${facts.server} (context ${facts.context}; ${cluster.source}), storage class ${facts.storageClass}`);

  const recorder = new Recorder(cluster, namespace, { log });
  let dns: DnsProbe | undefined;
  let canary: Canary | undefined;
  let creating: Promise<void> | undefined;
  let sentinelPods: string[] = [];
  const cleanup = onEveryExit(async () => {
    canary?.stop();
    recorder.stop();
    dns?.close();
    if (target) {
      // Nothing of the target is deleted or scaled; only the run's own sentinel files go.
      await removeSentinels(cluster, workload, sentinelPods, log);
      log(`target ${namespace}/${workload.info.statefulSet} left in place: not scaled, nothing deleted`);
      return;
    }
    if (opts.keepNamespace) {
      log(`keeping namespace ${namespace} (--keep-namespace); remove it with 'ordinal cleanup'`);
      return;
    }
    try {
      // Up to 2 minutes: the API server may be restarting right when the run ends.
      let deleted = await deleteRunNamespace(cluster, namespace, runId, 120_000, log);
      if (!deleted && creating) {
        // Interrupted while the create was in flight: it may land after the first look.
        await creating.catch(() => undefined);
        deleted = await deleteRunNamespace(cluster, namespace, runId, 120_000, log);
      }
      if (deleted) log(`deleted namespace ${namespace}`);
    } catch (err) {
      log(`could not delete namespace ${namespace}: ${describeError(err)}`);
      log(`remove it later with: ${cleanupCommand(runId, opts)}`);
    }
  }, log);

  const base = { runId, seed: opts.seed, started, facts, workload, opts };
  const rounds: RoundResult[] = [];
  try {
    if (!target) {
      creating = createRunNamespace(cluster, namespace, runId);
      await creating;
    }
    await recorder.start();
    if (target) log(`detection latency will not be measured: the canary ConfigMap would be a write into namespace ${namespace}`);
    else {
      try {
        canary = await createCanary(cluster, namespace, runId, log);
        await recorder.watchCanary(CANARY_NAME, CANARY_ANNOTATION);
      } catch (err) {
        log(`detection latency will not be measured: cannot create ConfigMap ${CANARY_NAME}: ${describeError(err)}`);
      }
    }
    await ensureStsSupport(cluster, workload, opts.timeoutSeconds * 1000, log);
    recorder.mark({ marker: 'deploy' });
    if (own?.deploy) await own.deploy();
    else if (!own) await deployWorkload(cluster, workload);
    await opts.hook?.({ phase: 'after-deploy', cluster, workload, recorder, log });
    const revision = await waitRollout(cluster, recorder, workload, opts.timeoutSeconds * 1000, opts.image);
    recorder.mark({ marker: 'rollout-complete' });
    log(`rollout complete: ${recorder.podSummary()}`);
    const hook = async (phase: RunPhase, round?: number): Promise<void> => {
      await opts.hook?.({ phase, ...(round !== undefined ? { round } : {}), cluster, workload, recorder, log });
    };
    await hook('after-rollout');
    if (own) await adaptProbes(cluster, workload, opts.clusterDomain, log);

    dns = await openDnsProbe(cluster, opts.dnsServer);
    log(`DNS probe: ${dns.target}`);
    const snapCtx = { cluster, recorder, workload, dns, dnsBudgetMs: opts.dnsBudgetSeconds * 1000 };
    recorder.mark({ marker: 'baseline' });
    // Every pod that may get a sentinel, before any is written: an interrupted baseline still gets cleaned up.
    if (target && !workload.sentinelSkip) sentinelPods = Array.from({ length: replicas }, (_, i) => podName(workload.info, i));
    const baseline = await takeSnapshot(snapCtx, 'write');
    log(`baseline: ${baseline.pods.length} pods, ${baseline.sentinels.length} sentinels written and synced`);
    await hook('after-baseline');

    // Writes to every pod from the first round's start until the after-snapshot (lib/traffic/).
    const traffic = await openTraffic(cluster, recorder, workload, runId, opts, own?.mode, log);

    canary?.start();
    // A --target run never gets here with an update (lib/cli/args.ts refuses or drops it); the check is for callers of executeRun.
    const session = update === 'none' || opts.updateRound === undefined || target ? undefined : new UpdateSession(cluster, recorder, workload, {
      mode: update, round: opts.updateRound, rounds: opts.rounds, runId, explicit: opts.updateSource !== 'seed', log,
      ...(opts.updateImage ? { image: opts.updateImage } : {}),
    }, revision);
    const roundCtx = {
      cluster, recorder, workload, revision, timeoutSeconds: opts.timeoutSeconds, totalRounds: opts.rounds, log, hook,
      ...(own?.guard ? { guard: own.guard } : {}),
      ...(session ? { update: session } : {}),
    };
    for (const p of plan) {
      const r = await chaosRound(roundCtx, p);
      rounds.push(r);
      await hook('after-round', p.round);
      if (!r.converged) break;
    }

    await traffic.stop();
    await hook('before-after-snapshot');
    canary?.stop();
    recorder.mark({ marker: 'after' });
    const after = await takeSnapshot(snapCtx, 'read');
    const written = await traffic.finish();
    let scaled = false;
    if (target) log('scale-down skipped: a --target run never scales the StatefulSet');
    else if (replicas >= 2 && rounds.every((r) => r.converged)) {
      // A scale-down that cannot finish must not cost the run its other verdicts:
      // the marker says why, and STS-ORDER-SCALEDOWN reports it as an error.
      try {
        await scaleDown(cluster, recorder, workload, 1, opts.timeoutSeconds * 1000, () => hook('scale-down-requested'));
        log(`scaled down ${replicas} -> 1`);
        scaled = true;
      } catch (err) {
        recorder.mark({ marker: 'scale-down-complete', aborted: describeError(err) });
        log(`scale-down did not finish: ${describeError(err)}`);
      }
    }
    if (scaled) {
      // STS-PVC-RETENTION: the scaled-away ordinals' claims go (whenScaled: Delete) or stay.
      await settleScaledClaims(recorder, workload.info, replicas, 1, opts.timeoutSeconds * 1000, log);
      await hook('claims-scaled');
      // …and whenDeleted: the claims go with the StatefulSet or stay.
      await deleteStatefulSet(cluster, recorder, workload.info, opts.timeoutSeconds * 1000, log);
      await hook('statefulset-deleted');
    }
    const input: CheckInput = {
      workload: workload.info, timeline: recorder.timeline, baseline, after, rounds, limits: { recoveryTimeoutMs: opts.timeoutSeconds * 1000 }, traffic: written,
    };
    const checks = runChecks(input);
    const result = observed(assemble(base, checks, rounds), recorder, log);
    result.traffic = summarizeTraffic(written, rounds);
    logTraffic(result.traffic, log);
    return { result, input };
  } catch (err) {
    const detail = err instanceof ClusterError ? err.detail : undefined;
    log(`run failed: ${describeError(err)}${detail ? `\n${detail}` : ''}`);
    const result = observed(assemble(base, [], rounds), recorder, log);
    result.error = { message: describeError(err), ...(detail ? { detail } : {}) };
    return { result };
  } finally {
    await cleanup();
  }
}

/** Adds what the run learned about its own observation: watch gaps and the canary's detection latency. */
function observed(result: RunResult, recorder: Recorder, log: (line: string) => void): RunResult {
  const gaps = recorder.timeline.flatMap((e) =>
    e.type === 'MARKER' && e.marker === 'watch-gap' && e.kind !== undefined && e.from !== undefined && e.to !== undefined
      ? [{ kind: e.kind, fromMs: e.from, toMs: e.to, reason: e.reason ?? '' }]
      : [],
  );
  if (gaps.length > 0) result.observationGaps = gaps;
  const volumes = volumeBehaviour(recorder.timeline);
  if (volumes) result.volumes = volumes;
  if (recorder.canarySamples.length > 0) {
    const d = latencyStats(recorder.canarySamples);
    result.detectionLatency = d;
    log(`detection latency (canary, ${d.samples} samples): p50 ${d.p50Ms?.toFixed(2)} ms, p95 ${d.p95Ms?.toFixed(2)} ms, max ${d.maxMs?.toFixed(2)} ms`);
  }
  return result;
}

function assemble(
  b: { runId: string; seed: number; started: Date; facts: ClusterFacts; workload: Workload; opts: RunOptions },
  checks: RunResult['checks'],
  rounds: RoundResult[],
): RunResult {
  const finished = new Date();
  const count = (s: string): number => checks.filter((c) => c.status === s).length;
  const byKind = recoveryByDisruption(rounds);
  return {
    schemaVersion: 1,
    runId: b.runId,
    tool: { name: 'ordinal', version: toolVersion() },
    seed: b.seed,
    replay: b.opts.replay,
    startedAt: b.started.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: finished.getTime() - b.started.getTime(),
    cluster: b.facts,
    workload: b.workload.info,
    options: {
      rounds: b.opts.rounds, timeoutSeconds: b.opts.timeoutSeconds, chaos: b.opts.chaos,
      update: {
        mode: b.opts.update ?? 'none', chosenBy: b.opts.updateSource ?? 'flag',
        ...(b.opts.update && b.opts.update !== 'none' && b.opts.updateRound !== undefined ? { round: b.opts.updateRound } : {}),
        ...(b.opts.updateNote ? { note: b.opts.updateNote } : {}),
      },
    },
    checks,
    rounds,
    ...(byKind.length > 0 ? { recoveryByDisruption: byKind } : {}),
    summary: { passed: count('passed'), failed: count('failed'), error: count('error'), skipped: count('skipped') },
  };
}

