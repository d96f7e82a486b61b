// One run, start to finish: the subject (lib/run/subject/), its plan (lib/run/plan.ts),
// then the phases (lib/run/phases/) over one RunContext, judgement, and the teardown on
// every exit path. I/O happens in the phases and the modules they call; the verdict
// comes from the pure checks over what was recorded.
import { DISRUPTIONS } from '../chaos/disruptions/index.ts';
import { describeReplication, replicationSummary } from './replication.ts';
import { runChecks } from '../checks/catalog.ts';
import { connect } from '../cluster/cluster.ts';
import { ClusterError, describeError } from '../errors.ts';
import { onEveryExit } from './namespace.ts';
import { Recorder } from '../observe/recorder.ts';
import { summarizeTraffic } from '../traffic/availability.ts';
import { logTraffic } from '../traffic/session.ts';
import type { CheckInput } from '../checks/api.ts';
import type { RunResult } from './results-schema.ts';
import { describeUpdate } from '../update/mode.ts';
import type { RunContext } from './context.ts';
import type { RunOptions, RunPhase } from './options.ts';
import { PHASES, teardown } from './phases/index.ts';
import { planRun } from './plan.ts';
import { assemble, observed } from './result.ts';
import { newRunId } from './run-id.ts';
import { prepareSubject } from './subject/index.ts';

export type { HookContext, RunHook, RunOptions, RunPhase } from './options.ts';

export interface RunOutput {
  result: RunResult;
  /** Everything the checks saw: kept next to the reports for debugging and fixtures. */
  input?: CheckInput;
}

export async function executeRun(opts: RunOptions): Promise<RunOutput> {
  const started = new Date();
  const runId = newRunId(started);
  const log = opts.log;
  const cluster = await connect({ kubeconfig: opts.kubeconfig, context: opts.context, log });
  const subject = await prepareSubject(cluster, opts, runId);
  const { workload, facts } = subject;
  // What a disruption needs from the cluster is checked before anything is created.
  for (const name of opts.chaos) {
    const problem = await DISRUPTIONS[name].preflight?.({
      cluster,
      facts,
      enabled: opts.chaos,
      pdb: opts.pdb ?? '',
      ...(opts.nodeFaultCommand ? { nodeFaultCommand: opts.nodeFaultCommand } : {}),
    });
    if (problem) throw new ClusterError(`--chaos ${name} cannot run on this cluster: ${problem}`);
  }
  const plan = planRun(opts, subject);
  const replay = opts.replayOf?.(plan) ?? '';
  const namespace = workload.info.namespace;
  log(`seed ${plan.seed} (replay: ${replay})`);
  log(
    `run ${runId}: ${subject.label} x${plan.ordinals.replicas}, ${plan.roundCount} rounds (${opts.killPattern} kills: ${plan.disruptions.join(', ')}), seed ${plan.seed}, namespace ${namespace}`,
  );
  for (const line of subject.header) log(line);
  const u = plan.update;
  log(describeUpdate(u.mode, u.round, plan.roundCount, u.chosenBy, u.image, u.note));
  log(`cluster ${facts.version} at ${facts.server} (context ${facts.context}; ${cluster.source}), storage class ${facts.storageClass}`);

  const recorder = new Recorder(cluster, namespace, { log });
  const hook = async (phase: RunPhase, round?: number): Promise<void> => {
    await opts.hook?.({ phase, ...(round !== undefined ? { round } : {}), cluster, workload, recorder, log });
  };
  const ctx: RunContext = {
    runId,
    cluster,
    recorder,
    subject,
    plan,
    options: opts,
    log,
    hook,
    timeouts: plan.budget,
    state: { rounds: [], replication: [], scaled: false },
  };
  const cleanup = onEveryExit(() => teardown(ctx), log);
  const base = { runId, started, replay, facts, workload, plan };
  const { state } = ctx;
  try {
    for (const phase of PHASES) await phase(ctx);
    if (!state.baseline || !state.after || !state.written)
      throw new Error('the run ended its phases without a baseline, an after snapshot and the traffic record');
    const input: CheckInput = {
      workload: workload.info,
      timeline: recorder.timeline,
      baseline: state.baseline,
      after: state.after,
      rounds: state.rounds,
      limits: { recoveryTimeoutMs: plan.budget.round, dnsBudgetMs: plan.budget.dns },
      traffic: state.written,
      ...(state.history ? { history: state.history } : {}),
      ...(workload.postgres ? { replication: state.replication } : {}),
    };
    const checks = runChecks(input);
    const result = observed(assemble(base, checks, state.rounds, recorder.timeline), recorder, log);
    result.traffic = summarizeTraffic(state.written, state.rounds, result.faults);
    const replication = replicationSummary(workload, [state.baseline.replication, ...state.replication, state.after.replication]);
    if (replication) {
      result.replication = replication;
      log(describeReplication(replication));
    }
    logTraffic(result.traffic, log);
    return { result, input };
  } catch (err) {
    const detail = err instanceof ClusterError ? err.detail : undefined;
    log(`run failed: ${describeError(err)}${detail ? `\n${detail}` : ''}`);
    const result = observed(assemble(base, [], state.rounds, recorder.timeline), recorder, log);
    result.error = { message: describeError(err), ...(detail ? { detail } : {}) };
    return { result };
  } finally {
    await cleanup();
  }
}
