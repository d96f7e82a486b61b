// `kubelet-restart`: the node agent of the pod's node stops and starts again within a few
// seconds (an upgrade, a crash-looping kubelet, a config reload). Containers do not
// depend on the kubelet being up, so what must follow is `unaffected`: the pod keeps its
// UID, no container restarts, and it is Ready again once the kubelet is back. Needs an
// adapter that stops the agent alone (the local cluster, or --node-fault-command); kind's
// docker pause freezes the whole node, which is a node fault, not a kubelet restart.
import { ClusterError, WaitTimeoutError } from '../../errors.ts';
import { isPodEntry, isReady, ordinalOf } from '../../timeline/queries.ts';
import type { PodState, TimelineEntry } from '../../timeline/entries.ts';
import { nodeFaultFor, NO_ADAPTER, oneAtATime, sleep } from '../node-fault/support.ts';
import { stopNode } from '../node-fault/stopped.ts';
import type { Disruption, DisruptionContext } from '../disruption.ts';
import { TIMEOUTS } from '../../timeouts.ts';

/**
 * A restarted kubelet probes every container afresh and reports each of its pods NotReady
 * until the first readiness probe passes: on the local cluster that blink came 0.5–1.4 s
 * after the kubelet was back, after the round had already ended, and the after-snapshot
 * caught a pod in it (STS-DNS-SRV then held DNS to a stale "not Ready"), or an exec the
 * kubelet could not serve yet. So the restart is over only once every StatefulSet pod on
 * the node has reported again and is Ready, or TIMEOUTS.kubeletSettle passed (a kubelet that keeps
 * its pods Ready reports nothing, and waiting longer would prove nothing).
 */
/** True once every pod in `pods` has an entry after `afterSeq` and its latest state is Ready. */
export function reportedAndReady(
  timeline: readonly TimelineEntry[],
  pods: readonly string[],
  afterSeq: number,
  state: (pod: string) => PodState | undefined,
): boolean {
  const seen = new Set<string>();
  for (let i = timeline.length - 1; i >= 0; i--) {
    const e = timeline[i] as TimelineEntry;
    if (e.seq <= afterSeq) break;
    if (isPodEntry(e)) seen.add(e.name);
  }
  return pods.every((p) => seen.has(p) && isReady(state(p)));
}

async function settle(ctx: DisruptionContext, node: string, afterSeq: number): Promise<void> {
  const { recorder } = ctx;
  const pods = [...recorder.pods]
    .filter(([name, p]) => p.node === node && ordinalOf(ctx.workload.info.statefulSet, name) !== undefined)
    .map(([name]) => name);
  try {
    await recorder.waitFor({
      describe: `the kubelet of node ${node} to report ${pods.join(', ') || 'its pods'} again`,
      timeoutMs: Math.min(TIMEOUTS.kubeletSettle, Math.max(0, ctx.deadline - Date.now())),
      until: () => (reportedAndReady(recorder.timeline, pods, afterSeq, (p) => recorder.pods.get(p)) ? true : undefined),
    });
  } catch (err) {
    if (!(err instanceof WaitTimeoutError)) throw err;
  }
}

/** Seconds the kubelet stays stopped. */
const PARAMS = { down: { min: 1, max: 3, unit: 's' } } as const;

export const kubeletRestart: Disruption = {
  name: 'kubelet-restart',
  expect: 'unaffected',
  needs: 'node',
  describe: "stops the kubelet of the pod's node for a few seconds and starts it again; the pod must keep running untouched",
  params: PARAMS,
  async preflight(ctx) {
    const adapter = await nodeFaultFor(ctx.cluster, ctx.nodeFaultCommand);
    if (!adapter) return NO_ADAPTER;
    if (adapter.name.startsWith('kind'))
      return 'on kind a node can only be frozen whole (docker pause); pass --node-fault-command to restart the kubelet alone';
    return undefined;
  },
  async apply(ctx, target) {
    const node = target.node;
    if (!node) throw new ClusterError(`kubelet-restart: pod ${target.pod} (uid ${target.uid}) is not scheduled on a node`);
    const adapter = await nodeFaultFor(ctx.cluster);
    if (!adapter) throw new ClusterError(`kubelet-restart: ${NO_ADAPTER}`);
    await oneAtATime(node, async () => {
      const t0 = performance.now();
      const start = await stopNode(ctx, adapter, node);
      ctx.recorder.mark({ marker: 'node-down', round: ctx.round, node, pod: target.pod, uid: target.uid });
      try {
        await sleep((ctx.params.down ?? PARAMS.down.min) * 1000);
      } finally {
        await start();
        const up = ctx.recorder.mark({ marker: 'node-up', round: ctx.round, node });
        await settle(ctx, node, up.seq);
      }
      ctx.log(`round ${ctx.round}: kubelet of node ${node} restarted (${((performance.now() - t0) / 1000).toFixed(1)}s until Ready again)`);
    });
    return undefined;
  },
  // Nothing visible must happen to the pod: the restart itself is the effect.
  tookEffect: async () => undefined,
};
