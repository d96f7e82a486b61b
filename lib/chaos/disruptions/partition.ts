// `partition`: a network partition in a seeded shape (lib/chaos/partition-shape.ts, as
// Jepsen's nemesis names them): the pod isolated from its peers, a minority/majority
// split, a bridge, a one-way cut, or the traffic client cut off from the pod. Held for a
// seeded time, then healed. The cuts are iptables DROP rules inside the pods' own network
// namespaces, applied by the node agent (examples/agent.yaml) through fault requests
// (lib/agent/request.ts), so it works with any CNI; they follow a pod recreated meanwhile.
// Every cut pair is confirmed from inside before the hold, and every pair reopened after
// the heal (lib/chaos/partition-round.ts). What must follow is `unaffected`: the pod
// keeps its UID, no container restarts, and it is Ready again (within --timeout) after the heal.
import type { Disruption, DisruptionContext, DisruptionTarget } from '../disruption.ts';
import { AGENT_NAME, AGENT_NAMESPACE } from '../../agent/request.ts';
import { SHAPES } from '../partition-shape.ts';
import { agentTurn } from '../agent-turn.ts';

/**
 * Seconds the partition is held once confirmed; its shape (an index into SHAPES); `pick`
 * seeds which pods join the target's side, bridge, or are dropped one way. Drawn in this
 * order, so a seed's holds are those it drew before shapes existed.
 */
const PARAMS = {
  hold: { min: 5, max: 15, unit: 's' },
  shape: { min: 0, max: SHAPES.length - 1, unit: '', names: SHAPES },
  pick: { min: 0, max: 999, unit: '' },
} as const;

export const NO_AGENT = `partition needs the Ordinal node agent (DaemonSet ${AGENT_NAMESPACE}/${AGENT_NAME}), and none is running: an admin installs it with 'kubectl apply -f examples/agent.yaml' (the local cluster's cluster:up does)`;

export const partition: Disruption = {
  name: 'partition',
  expect: 'unaffected',
  needs: 'running',
  describe: `a seeded partition shape (${SHAPES.join(', ')}) around the pod (node agent), each cut pair confirmed from inside; held, healed, confirmed; the pod must stay`,
  params: PARAMS,
  async preflight(ctx) {
    const ds = await ctx.cluster.apps.readNamespacedDaemonSet({ name: AGENT_NAME, namespace: AGENT_NAMESPACE }).catch(() => undefined);
    // Not every node's agent: a node another fault has down for a moment still counts; a
    // target whose node has none gets no status, and that round is an error saying so.
    return (ds?.status?.numberReady ?? 0) > 0 ? undefined : NO_AGENT;
  },
  async apply(ctx, target) {
    // One agent fault at a time (a burst round sends them together): each is confirmed
    // against pairs that no other fault cuts at that moment.
    await agentTurn(() => round(ctx, target));
    return undefined;
  },
  // The round's whole fault (confirmed cut, hold, confirmed heal) happened inside apply().
  tookEffect: async () => undefined,
};

async function round(ctx: DisruptionContext, target: DisruptionTarget): Promise<void> {
  const { partitionRound } = await import('../partition-round.ts');
  await partitionRound(ctx, target);
}
