// Teardown, on every exit path (normal end, error, SIGINT/SIGTERM): the watches and
// probes stop, then the subject undoes what the run did.
import type { RunContext } from '../context.ts';

export async function teardown(ctx: RunContext): Promise<void> {
  ctx.state.canary?.stop();
  ctx.recorder.stop();
  ctx.state.dns?.close();
  await ctx.subject.cleanUp(ctx);
}
