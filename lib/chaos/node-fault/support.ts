// What the node disruptions share: the cluster's node-fault adapter (found once per run
// by preflight), one fault at a time per node, and waiting for a node's Ready condition.
// The Node kind is not on the run's watch (a run owns pods, not nodes), so its condition
// is read every second, bounded by the round's deadline.
import type { Cluster } from '../../cluster/cluster.ts';
import { ClusterError, describeError } from '../../errors.ts';
import type { DisruptionContext } from '../disruption.ts';
import { detectNodeFault, type NodeFault } from './adapter.ts';
import { TIMEOUTS } from '../../timeouts.ts';

const adapters = new WeakMap<Cluster, NodeFault | undefined>();

/** Detects (or takes from --node-fault-command) the adapter; undefined when this cluster has none. */
export async function nodeFaultFor(cluster: Cluster, command?: string): Promise<NodeFault | undefined> {
  if (!adapters.has(cluster)) adapters.set(cluster, await detectNodeFault(cluster, command));
  return adapters.get(cluster);
}

export const NO_ADAPTER =
  "no node-fault adapter for this cluster (not the built-in local cluster run as root, not kind): pass --node-fault-command '<cmd> {action} {node}'";

// Two faults on one node (a burst on a single-node cluster) run one after the other:
// the second must not start a kubelet the first still needs stopped.
const busy = new Map<string, Promise<unknown>>();

export function oneAtATime<T>(node: string, fn: () => Promise<T>): Promise<T> {
  const prev = busy.get(node) ?? Promise.resolve();
  const next = prev.catch(() => undefined).then(fn);
  busy.set(node, next);
  return next;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until the node's Ready condition is (or is no longer) True; what it saw goes in the error. */
export async function waitNodeReady(ctx: DisruptionContext, node: string, ready: boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const deadline = started + timeoutMs;
  let seen = 'not read yet';
  for (;;) {
    try {
      const n = await ctx.cluster.core.readNode({ name: node });
      const c = n.status?.conditions?.find((x) => x.type === 'Ready');
      seen = `Ready=${c?.status ?? '?'} (${c?.reason ?? 'no reason'})`;
      if ((c?.status === 'True') === ready) return performance.now() - started;
    } catch (err) {
      seen = describeError(err);
    }
    if (performance.now() > deadline)
      throw new ClusterError(
        `node ${node} did not become ${ready ? 'Ready' : 'NotReady'} within ${Math.round(timeoutMs / 1000)}s; last seen: ${seen}`,
      );
    await sleep(TIMEOUTS.nodePoll);
  }
}
