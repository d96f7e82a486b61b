// Teardown, on every exit path (normal end, error, SIGINT/SIGTERM): the watches and
// probes stop, a node the run still holds down is started again, then the subject undoes
// what the run did (the node first: pods on a stopped node keep their namespace Terminating).
import { startStoppedNodes } from '../../chaos/node-fault/stopped.ts';
import type { RunContext } from '../context.ts';

export async function teardown(ctx: RunContext): Promise<void> {
  ctx.state.canary?.stop();
  ctx.recorder.stop();
  ctx.state.dns?.close();
  await startStoppedNodes(ctx.log);
  await ctx.subject.cleanUp(ctx);
}
