// What the update fault specs share: changing the run's own StatefulSet behind the
// harness's back (as a misbehaving operator or controller would), the pods' revisions
// on the run's watch, and a seed whose update falls in round 1.
import * as k8s from '@kubernetes/client-node';
import type { IStatefulSetSpec } from 'kubernetes-models/apps/v1/StatefulSetSpec';
import { planRounds } from '../../lib/chaos/plan.ts';
import type { HookContext } from '../../lib/run/execute.ts';
import type { DisruptionName } from '../../lib/model.ts';
import { seededUpdate } from '../../lib/update/mode.ts';

const mergePatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

/** A JSON merge patch of the run's StatefulSet's spec. */
export async function patchSpec(ctx: HookContext, spec: IStatefulSetSpec | Record<string, unknown>, what: string): Promise<void> {
  const { namespace, statefulSet: name } = ctx.workload.info;
  await ctx.cluster.apps.patchNamespacedStatefulSet({ name, namespace, body: { spec } }, mergePatch);
  ctx.log(`fault: StatefulSet ${name} patched behind the harness's back: ${what}`);
}

/** The pod's controller-revision-hash as the run's watch last saw it ('' when absent). */
export const revisionOf = (ctx: HookContext, pod: string): string => ctx.recorder.pods.get(pod)?.revision ?? '';

/** The pod's UID as the run's watch last saw it. */
export const uidOf = (ctx: HookContext, pod: string): string => ctx.recorder.pods.get(pod)?.uid ?? '';

/**
 * The first seed whose round 1 of `rounds` kills exactly `pods` with `action` and whose
 * update starts in round 1 (lib/update/mode.ts seededUpdate), so the hook at round 1's
 * after-kills lands while the update rolls.
 */
export function seedForUpdate(pods: string[], action: DisruptionName, rounds: number): number {
  const want = [...pods].sort().join(',');
  for (let seed = 1; seed < 100_000; seed++) {
    if (seededUpdate(seed, rounds).round !== 1) continue;
    const kills = planRounds({ seed, statefulSet: 'web', replicas: 3, rounds })[0]?.kills ?? [];
    if (
      kills
        .map((k) => k.pod)
        .sort()
        .join(',') === want &&
      kills.every((k) => k.action === action)
    )
      return seed;
  }
  throw new Error(`no seed below 100000 kills exactly ${want} (${action}) in round 1 with the update in round 1 of ${rounds}`);
}
