// Scale-down: to one replica once every round converged; STS-ORDER-SCALEDOWN judges the
// order the pods went in.
import { describeError } from '../../errors.ts';
import type { RunContext } from '../context.ts';
import { scaleDown as scale } from '../rollout.ts';

export async function scaleDown(ctx: RunContext): Promise<void> {
  const { subject, log, state } = ctx;
  const replicas = subject.workload.info.replicas;
  if (subject.scaleSkip) {
    log(`scale-down skipped: ${subject.scaleSkip}`);
    return;
  }
  if (replicas < 2 || !state.rounds.every((r) => r.converged)) return;
  // A scale-down that cannot finish must not cost the run its other verdicts:
  // the marker says why, and STS-ORDER-SCALEDOWN reports it as an error.
  try {
    await scale(ctx, 1, () => ctx.hook('scale-down-requested'));
    log(`scaled down ${replicas} -> 1`);
    state.scaled = true;
  } catch (err) {
    ctx.recorder.mark({ marker: 'scale-down-complete', aborted: describeError(err) });
    log(`scale-down did not finish: ${describeError(err)}`);
  }
}
