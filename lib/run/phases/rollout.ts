// Rollout: every pod Running and Ready at one revision, the one the rounds expect back;
// then what the probes can do in the subject's image.
import type { RunContext } from '../context.ts';
import { waitRollout } from '../rollout.ts';

export async function rollout(ctx: RunContext): Promise<void> {
  const { recorder } = ctx;
  ctx.state.revision = await waitRollout(ctx);
  recorder.mark({ marker: 'rollout-complete' });
  ctx.log(`rollout complete: ${recorder.podSummary()}`);
  await ctx.hook('after-rollout');
  await ctx.subject.adapt(ctx);
}
