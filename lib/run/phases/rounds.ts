// Rounds: traffic starts, the canary ticks, and each planned round runs in turn (with the
// update phase at its round); a round that does not converge ends the rounds.
import { chaosRound } from '../round.ts';
import { openTraffic } from '../../traffic/session.ts';
import { UpdateSession } from '../../update/session.ts';
import type { RunContext } from '../context.ts';
import { clusterExec } from '../../probes/exec.ts';
import { lastPrimaryStart, replicationProbe } from '../replication.ts';
import { TIMEOUTS } from '../../timeouts.ts';

export async function rounds(ctx: RunContext): Promise<void> {
  const { cluster, recorder, subject, plan, log, state } = ctx;
  const workload = subject.workload;
  // Writes to every pod from the first round's start until the after-snapshot (lib/traffic/).
  state.traffic = await openTraffic(cluster, recorder, workload, ctx.runId, ctx.options, subject.trafficSkip, ctx.timeouts.traffic, log);
  state.canary?.start();
  const u = plan.update;
  if (u.mode !== 'none' && u.round !== undefined) {
    state.update = new UpdateSession(
      cluster,
      recorder,
      workload,
      {
        mode: u.mode,
        round: u.round,
        rounds: plan.roundCount,
        runId: ctx.runId,
        explicit: u.chosenBy !== 'seed',
        log,
        ...(u.image ? { image: u.image } : {}),
      },
      state.revision ?? '',
    );
  }
  for (const p of plan.rounds) {
    const r = await chaosRound(ctx, p);
    await probeReplicationAfter(ctx, p.round, r.converged);
    state.rounds.push(r);
    await ctx.hook('after-round', p.round);
    if (!r.converged) break;
  }
}

/** The postgres sample: once a round converged, whom each replica streams from and how far it replayed (STS-TOPOLOGY-PRIMARY). */
async function probeReplicationAfter(ctx: RunContext, round: number, converged: boolean): Promise<void> {
  const workload = ctx.subject.workload;
  if (!workload.postgres || !converged) return;
  const exec = clusterExec(ctx.cluster, workload.info.namespace, Date.now() + Math.max(ctx.timeouts.dns, TIMEOUTS.snapshotExecsAtLeast));
  const before = lastPrimaryStart([ctx.state.baseline?.replication, ...ctx.state.replication]);
  const probe = await replicationProbe(exec, ctx.recorder, workload, `round ${round}`, before);
  if (probe) ctx.state.replication.push(probe);
}
