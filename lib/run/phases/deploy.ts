// Deploy: the subject's namespace (if it has one), the watch, the canary, the check that
// the cluster keeps the StatefulSet's options, then the objects themselves.
import { ensureStsSupport } from '../sts-support.ts';
import type { RunContext } from '../context.ts';

export async function deploy(ctx: RunContext): Promise<void> {
  const { subject, recorder } = ctx;
  await subject.open(ctx);
  await recorder.start();
  await subject.openCanary(ctx);
  await ensureStsSupport(ctx.cluster, subject.workload, ctx.timeouts.waitMs, ctx.log);
  recorder.mark({ marker: 'deploy' });
  await subject.deploy(ctx);
  await ctx.hook('after-deploy');
}
