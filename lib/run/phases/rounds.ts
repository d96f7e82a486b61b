// Rounds: traffic starts, the canary ticks, and each planned round runs in turn (with the
// update phase at its round); a round that does not converge ends the rounds.
import { chaosRound } from '../round.ts';
import { openTraffic } from '../../traffic/session.ts';
import { UpdateSession } from '../../update/session.ts';
import type { RunContext } from '../context.ts';

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
    state.rounds.push(r);
    await ctx.hook('after-round', p.round);
    if (!r.converged) break;
  }
}
