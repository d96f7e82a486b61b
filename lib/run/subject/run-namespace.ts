// The namespace a run creates for a subject it deploys (a sample or a --manifest): made
// and labelled with the run ID before anything else, holding the canary, deleted on every
// exit path unless --keep-namespace.
import { CANARY_ANNOTATION, CANARY_NAME, createCanary } from '../../observe/canary.ts';
import { describeError } from '../../errors.ts';
import { cleanupCommand, createRunNamespace, deleteRunNamespace } from '../namespace.ts';
import { grantRunReads } from '../namespace-access.ts';
import type { RunContext } from '../context.ts';
import { TIMEOUTS } from '../../timeouts.ts';

export class RunNamespace {
  private creating: Promise<void> | undefined;

  readonly name: string;

  constructor(name: string) {
    this.name = name;
  }

  async open(ctx: RunContext): Promise<void> {
    this.creating = createRunNamespace(ctx.cluster, this.name, ctx.runId);
    await this.creating;
    await grantRunReads(ctx.cluster, this.name, ctx.log);
  }

  async openCanary(ctx: RunContext): Promise<void> {
    try {
      ctx.state.canary = await createCanary(ctx.cluster, this.name, ctx.runId, ctx.log);
      await ctx.recorder.watchCanary(CANARY_NAME, CANARY_ANNOTATION);
    } catch (err) {
      ctx.log(`detection latency will not be measured: cannot create ConfigMap ${CANARY_NAME}: ${describeError(err)}`);
    }
  }

  async cleanUp(ctx: RunContext): Promise<void> {
    const { cluster, runId, log } = ctx;
    if (ctx.options.keepNamespace) {
      log(`keeping namespace ${this.name} (--keep-namespace); remove it with 'ordinal cleanup'`);
      return;
    }
    try {
      // Interrupted while the create was in flight: it may land later, and its creation
      // record (which the delete checks) right after it; createRunNamespace undoes a half.
      await this.creating?.catch(() => undefined);
      // Up to 2 minutes: the API server may be restarting right when the run ends.
      const deleted = await deleteRunNamespace(cluster, this.name, runId, TIMEOUTS.namespaceDelete, log);
      if (deleted) log(`deleted namespace ${this.name}`);
    } catch (err) {
      log(`could not delete namespace ${this.name}: ${describeError(err)}`);
      log(`remove it later with: ${cleanupCommand(runId, ctx.options)}`);
    }
  }
}
