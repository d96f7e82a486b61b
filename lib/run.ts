// One run, start to finish: namespace, deploy, rollout, baseline, chaos rounds,
// after-snapshot, judgement, cleanup. I/O happens here and in the modules it calls;
// the verdict comes from the pure checks over what was recorded.
import { newRunId } from './run-id.ts';
import { planRounds } from './chaos/plan.ts';
import { chaosRound } from './chaos/round.ts';
import { DISRUPTIONS } from './chaos/disruptions/index.ts';
import { resolvePdb, withPdb } from './chaos/pdb.ts';
import { runChecks } from './checks/catalog.ts';
import { clusterFacts, connect } from './cluster.ts';
import { ClusterError, describeError } from './errors.ts';
import { CANARY_ANNOTATION, CANARY_NAME, createCanary, type Canary } from './canary.ts';
import { cleanupCommand, createRunNamespace, deleteRunNamespace, onEveryExit } from './namespace.ts';
import { grantRunReads } from './namespace-access.ts';
import { openDnsProbe, type DnsProbe } from './probes/dns.ts';
import { Recorder } from './recorder.ts';
import { takeSnapshot } from './snapshot.ts';
import type { CheckInput, RoundResult, RunResult } from './types.ts';
import type { WorkloadOptions } from './workloads/common.ts';
import { describeStsOptions, pickStsOptions } from './workloads/sts-options.ts';
import { ensureStsSupport } from './sts-support.ts';
import { deleteStatefulSet, settleScaledClaims } from './retention.ts';
import { deployWorkload, scaleDown, waitRollout } from './rollout.ts';
import { buildWorkload } from './workloads/index.ts';
import { podName, runNamespace } from './names.ts';
import { adaptProbes, prepareOwn, removeSentinels } from './adopt.ts';
import { logTraffic, openTraffic } from './traffic/session.ts';
import { describeUpdate } from './update/mode.ts';
import { UpdateSession } from './update/session.ts';
import { summarizeTraffic } from './traffic/availability.ts';
import type { RunOptions, RunPhase } from './run-options.ts';
import { assemble, observed } from './run-result.ts';

export type { HookContext, RunHook, RunOptions, RunPhase } from './run-options.ts';

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
      await grantRunReads(cluster, namespace, log);
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
    const result = observed(assemble(base, checks, rounds, recorder.timeline), recorder, log);
    result.traffic = summarizeTraffic(written, rounds);
    logTraffic(result.traffic, log);
    return { result, input };
  } catch (err) {
    const detail = err instanceof ClusterError ? err.detail : undefined;
    log(`run failed: ${describeError(err)}${detail ? `\n${detail}` : ''}`);
    const result = observed(assemble(base, [], rounds, recorder.timeline), recorder, log);
    result.error = { message: describeError(err), ...(detail ? { detail } : {}) };
    return { result };
  } finally {
    await cleanup();
  }
}
