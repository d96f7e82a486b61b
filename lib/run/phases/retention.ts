// Retention, after a finished scale-down: STS-PVC-RETENTION's whenScaled (the scaled-away
// ordinals' claims go or stay) and whenDeleted (the claims go with the StatefulSet or stay).
import type { RunContext } from '../context.ts';
import { deleteStatefulSet, settleScaledClaims } from '../retention.ts';

export async function retention(ctx: RunContext): Promise<void> {
  if (!ctx.state.scaled) return;
  await settleScaledClaims(ctx, ctx.subject.workload.info.replicas, 1);
  await ctx.hook('claims-scaled');
  await deleteStatefulSet(ctx);
  await ctx.hook('statefulset-deleted');
}
