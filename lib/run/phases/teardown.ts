// Teardown, on every exit path (normal end, error, SIGINT/SIGTERM): the watches and
// probes stop, a node the run still holds down is started again, then the subject undoes
// what the run did (the node first: pods on a stopped node keep their namespace Terminating;
// a node that would not start keeps the namespace, whose record notes it, for `ordinal cleanup`).
import { startStoppedNodes } from '../../chaos/node-fault/stopped.ts';
import type { RunContext } from '../context.ts';
import { cleanupCommand } from '../namespace.ts';

export async function teardown(ctx: RunContext): Promise<void> {
  ctx.state.canary?.stop();
  ctx.recorder.stop();
  ctx.state.dns?.close();
  const down = await startStoppedNodes(ctx.log);
  if (down.length > 0 && !ctx.options.keepNamespace) {
    // Its creation record still notes them: kept, `ordinal cleanup` tries the start again before deleting it.
    ctx.log(
      `keeping namespace ${ctx.subject.workload.info.namespace}: node(s) ${down.join(', ')} still stopped; ${cleanupCommand(ctx.runId, ctx.options)} starts them, then deletes it`,
    );
    return;
  }
  await ctx.subject.cleanUp(ctx);
}
