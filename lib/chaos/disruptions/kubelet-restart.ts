// `kubelet-restart`: the node agent of the pod's node stops and starts again within a few
// seconds (an upgrade, a crash-looping kubelet, a config reload). Containers do not
// depend on the kubelet being up, so what must follow is `unaffected`: the pod keeps its
// UID, no container restarts, and it is Ready again once the kubelet is back. Needs an
// adapter that stops the agent alone (the local cluster, or --node-fault-command); kind's
// docker pause freezes the whole node, which is a node fault, not a kubelet restart.
import { ClusterError } from '../../errors.ts';
import { nodeFaultFor, NO_ADAPTER, oneAtATime, sleep } from '../node-fault/support.ts';
import type { Disruption } from '../disruption.ts';

export const kubeletRestart: Disruption = {
  name: 'kubelet-restart',
  expect: 'unaffected',
  describe: "stops the kubelet of the pod's node for a few seconds and starts it again; the pod must keep running untouched",
  params: { down: { min: 1, max: 3, unit: 's' } },
  async preflight(ctx) {
    const adapter = await nodeFaultFor(ctx.cluster, ctx.nodeFaultCommand);
    if (!adapter) return NO_ADAPTER;
    if (adapter.name.startsWith('kind')) return 'on kind a node can only be frozen whole (docker pause); pass --node-fault-command to restart the kubelet alone';
    return undefined;
  },
  async apply(ctx, target) {
    const node = target.node;
    if (!node) throw new ClusterError(`kubelet-restart: pod ${target.pod} (uid ${target.uid}) is not scheduled on a node`);
    const adapter = await nodeFaultFor(ctx.cluster);
    if (!adapter) throw new ClusterError(`kubelet-restart: ${NO_ADAPTER}`);
    await oneAtATime(node, async () => {
      const t0 = performance.now();
      await adapter.stop(node);
      ctx.recorder.mark({ marker: 'node-down', round: ctx.round, node, pod: target.pod, uid: target.uid });
      try {
        await sleep((ctx.params.down ?? 1) * 1000);
      } finally {
        await adapter.start(node);
        ctx.recorder.mark({ marker: 'node-up', round: ctx.round, node });
      }
      ctx.log(`round ${ctx.round}: kubelet of node ${node} restarted (${((performance.now() - t0) / 1000).toFixed(1)}s until Ready again)`);
    });
    return undefined;
  },
  // Nothing visible must happen to the pod: the restart itself is the effect.
  tookEffect: async () => undefined,
};
