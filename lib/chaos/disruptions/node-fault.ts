// `node-fault`: the node running the pod stops answering (its kubelet stopped, or the node
// frozen, through the cluster's adapter: lib/chaos/node-fault/), as a machine that died
// or lost its network. What must follow is `blocked`: the pod is on a node that cannot
// confirm anything, so no replacement may appear until either the node is back (the
// kubelet confirms the deletion) or an operator force-deletes the pod. The round:
//
//  1. stop the node; wait until the node controller marks it NotReady (its
//     node-monitor-grace-period: 20 s on the local cluster, 50 s by default);
//  2. wait for the taint-based eviction (the sample workloads tolerate an unreachable
//     node for --toleration-seconds); a single-node cluster never evicts (the node
//     controller stops evictions when every node is down), so then the pod is deleted
//     gracefully, as that eviction would have: either way it is now Terminating;
//  3. hold the node down for a seeded time: the replacement must stay blocked;
//  4. as an operator would, either force-delete the pod (seeded; the replacement may
//     then start elsewhere while the old containers still run: the hazard
//     STS-AT-MOST-ONE measures) or not, then always start the node again, so the round
//     converges on any cluster size.
import { ClusterError } from '../../errors.ts';
import { nodeFaultFor, NO_ADAPTER, oneAtATime, sleep, waitNodeReady } from '../node-fault/support.ts';
import { stopNode } from '../node-fault/stopped.ts';
import { deletionSeen, waitForPod, type Disruption, type DisruptionContext, type DisruptionTarget } from '../disruption.ts';
import { deletePod } from './delete-pod.ts';
import { TIMEOUTS, timeLeft } from '../../timeouts.ts';

/** Seconds the node stays down after its pod is terminating; whether an operator force-deletes it. */
const PARAMS = { hold: { min: 5, max: 15, unit: 's' }, force: { min: 0, max: 1, unit: '' } } as const;

export const nodeFault: Disruption = {
  name: 'node-fault',
  expect: 'blocked',
  needs: 'node',
  describe: "stops the pod's node, holds it down, then force-deletes the pod or not (seeded) and brings the node back",
  params: PARAMS,
  async preflight(ctx) {
    return (await nodeFaultFor(ctx.cluster, ctx.nodeFaultCommand)) ? undefined : NO_ADAPTER;
  },
  async apply(ctx, target) {
    const node = target.node;
    if (!node) throw new ClusterError(`node-fault: pod ${target.pod} (uid ${target.uid}) is not scheduled on a node`);
    await oneAtATime(node, () => nodeDown(ctx, target, node));
    return undefined;
  },
  tookEffect: (ctx, target) => waitForPod(ctx, target, 'the node fault', deletionSeen(target)),
};

async function nodeDown(ctx: DisruptionContext, target: DisruptionTarget, node: string): Promise<void> {
  const adapter = await nodeFaultFor(ctx.cluster);
  if (!adapter) throw new ClusterError(`node-fault: ${NO_ADAPTER}`);
  const { pod, uid } = target;
  const left = (): number => timeLeft(ctx.deadline);
  const t0 = performance.now();
  const since = (): string => `${((performance.now() - t0) / 1000).toFixed(1)}s`;
  const start = await stopNode(ctx, adapter, node);
  ctx.recorder.mark({ marker: 'node-down', round: ctx.round, node, pod, uid });
  ctx.log(`round ${ctx.round}: node ${node} of ${pod} stopped (${adapter.name})`);
  try {
    await waitNodeReady(ctx, node, false, left());
    ctx.log(`round ${ctx.round}: node ${node} NotReady after ${since()}`);
    await terminating(ctx, target, node);
    const hold = (ctx.params.hold ?? PARAMS.hold.min) * 1000;
    await sleep(hold);
    const now = ctx.recorder.pods.get(pod);
    ctx.log(
      `round ${ctx.round}: held node ${node} down ${hold / 1000}s more; ${pod} is ${now ? `uid ${now.uid}${now.uid === uid ? ' (still the old pod: blocked)' : ' (REPLACED while the node was down)'}` : 'gone'}`,
    );
    if (ctx.params.force === 1 && ctx.recorder.pods.get(pod)?.uid === uid) {
      ctx.recorder.mark({ marker: 'operator-force-delete', round: ctx.round, pod, uid, node });
      await deletePod(ctx, target, 'operator force-delete', 0);
      ctx.log(`round ${ctx.round}: force-deleted ${pod} (uid ${uid}) on the down node, as an operator would`);
      // Let the replacement start (elsewhere, if there is anywhere) while the old containers still run.
      await ctx.recorder
        .waitFor({
          describe: `a replacement for ${pod} to run after the force deletion`,
          timeoutMs: Math.min(TIMEOUTS.forceDeleteReplacement, left()),
          until: () => (ctx.recorder.pods.get(pod)?.phase === 'Running' && ctx.recorder.pods.get(pod)?.uid !== uid ? true : undefined),
        })
        .catch(() =>
          ctx.log(
            `round ${ctx.round}: ${pod}'s replacement is not running yet (${ctx.recorder.pods.get(pod)?.phase ?? 'absent'}): no other node can take it`,
          ),
        );
    }
  } finally {
    await start();
    ctx.recorder.mark({ marker: 'node-up', round: ctx.round, node });
    ctx.log(`round ${ctx.round}: node ${node} started again and Ready, ${since()} after the stop`);
  }
}

/** Taint-based eviction, or (when the node controller evicts nothing) a graceful delete in its place. */
async function terminating(ctx: DisruptionContext, target: DisruptionTarget, node: string): Promise<void> {
  const tolerated = tolerationSeconds(ctx);
  const gone = (): true | undefined => {
    const s = ctx.recorder.pods.get(target.pod);
    return !s || s.uid !== target.uid || s.deletionTimestamp ? true : undefined;
  };
  const evicted = await ctx.recorder
    .waitFor({
      describe: `the taint-based eviction of ${target.pod}`,
      timeoutMs: Math.min(
        Math.min(tolerated * 1000, TIMEOUTS.taintEvictionToleratedAtMost) + TIMEOUTS.taintEvictionSlack,
        timeLeft(ctx.deadline),
      ),
      until: gone,
    })
    .then(
      () => true,
      () => false,
    );
  if (evicted) {
    ctx.log(`round ${ctx.round}: ${target.pod} evicted from node ${node} by its taint (tolerated ${tolerated}s)`);
    return;
  }
  ctx.log(
    `round ${ctx.round}: no taint-based eviction of ${target.pod} (tolerated ${tolerated}s; a cluster whose every node is down evicts nothing); deleting it gracefully as that eviction would`,
  );
  await deletePod(ctx, target, 'delete (in place of the eviction)');
  await waitForPod(ctx, target, 'the delete', deletionSeen(target));
}

/** The pods' toleration of an unreachable node, from the StatefulSet's template (300 s, Kubernetes' default, when none). */
function tolerationSeconds(ctx: DisruptionContext): number {
  for (const o of ctx.workload.objects) {
    if (o.kind !== 'StatefulSet') continue;
    const t = o.spec?.template.spec?.tolerations?.find((x) => x.key === 'node.kubernetes.io/unreachable');
    if (t?.tolerationSeconds !== undefined) return t.tolerationSeconds;
  }
  return 300;
}
