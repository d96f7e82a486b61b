// `delay`: latency on the pod's link would need the netem qdisc (sch_netem), which many
// kernels (this machine's among them) are built without. The preflight asks the node
// agents' probes (lib/agent/node-caps.ts) and refuses with exit 2 and why, before anything
// is created; Ordinal does not apply delay yet on any kernel, so the refusal says that too
// when a node does have netem. Not a silent fault that never applied.
import type { Disruption } from '../disruption.ts';
import { capabilityProblem, parseNodeCapabilities } from '../../agent/node-caps.ts';
import { nodeCapabilities, noAgent } from './agent-ready.ts';
import { AGENT_NAME, AGENT_NAMESPACE } from '../../agent/request.ts';

export const delay: Disruption = {
  name: 'delay',
  expect: 'unaffected',
  describe: "latency on the pod's link (netem): refused before the run, saying whether the nodes have sch_netem; not applied yet",
  async preflight(ctx) {
    const ds = await ctx.cluster.apps.readNamespacedDaemonSet({ name: AGENT_NAME, namespace: AGENT_NAMESPACE }).catch(() => undefined);
    if ((ds?.status?.numberReady ?? 0) === 0) return noAgent('delay');
    return delayRefusal(await nodeCapabilities(ctx));
  },
  apply() {
    return Promise.reject(new Error('delay is refused by its preflight and never applied'));
  },
  tookEffect: async () => undefined,
};

/** Always a reason: the nodes' missing netem, or (where a node has it) that delay is not built yet. */
export function delayRefusal(data: Readonly<Record<string, string>> | undefined): string {
  const missing = capabilityProblem('netem', data, 'delay');
  if (missing) return missing;
  const withNetem = Object.entries(data ?? {})
    .filter(([, t]) => parseNodeCapabilities(t)?.probes.netem?.ok === true)
    .map(([n]) => n);
  return `delay is not applied by this Ordinal yet (loss and bandwidth are): node(s) ${withNetem.join(', ')} have sch_netem, but no agent adds a netem qdisc`;
}
