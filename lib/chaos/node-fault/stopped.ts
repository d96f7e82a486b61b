// A node a run stopped is started again on every exit path. The round that stops it
// starts it in its `finally`, but SIGTERM or SIGINT end the process from the signal
// handler (onEveryExit, lib/run/namespace.ts) while that round is still holding the node
// down, and its `finally` never runs. So every stop is registered here until its start,
// and the teardown starts whatever is left, before the run's namespace is deleted (pods
// on a stopped node would keep that namespace Terminating). SIGKILL runs no code at all:
// for that, each stop is also written into the run's creation record (ConfigMap
// ordinal-run, in the run's own namespace), where `ordinal cleanup` finds it.
import type { Cluster } from '../../cluster/cluster.ts';
import { describeError } from '../../errors.ts';
import { RECORD_NAME } from '../../names.ts';
import type { DisruptionContext } from '../disruption.ts';
import { detectNodeFault, type NodeFault } from './adapter.ts';

/** The creation record's key for a node the run stopped: `stopped-node.<node>` = when and by which round. */
export const STOPPED_PREFIX = 'stopped-node.';

interface Stopped {
  adapter: NodeFault;
  round: number;
  start: () => Promise<void>;
}

/** Nodes this process stopped and has not started again. */
const stopped = new Map<string, Stopped>();

/** Writes (or, with null, removes) the node's key in the run's creation record; a --target run has no record. */
async function record(ctx: DisruptionContext, node: string, value: string | null): Promise<void> {
  if (ctx.workload.info.kind === 'target') return;
  try {
    // Loaded here: the disruption table this module hangs off is read by commands that never touch a cluster.
    const k8s = await import('@kubernetes/client-node');
    const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
    await ctx.cluster.core.patchNamespacedConfigMap(
      { name: RECORD_NAME, namespace: ctx.namespace, body: { data: { [`${STOPPED_PREFIX}${node}`]: value } } },
      merge,
    );
  } catch (err) {
    if (value !== null)
      ctx.log(
        `round ${ctx.round}: could not note node ${node} in ConfigMap ${ctx.namespace}/${RECORD_NAME} (${describeError(err)}): if this run is SIGKILLed, 'ordinal cleanup' will not know to start it`,
      );
  }
}

/**
 * Stops `node` through the adapter; returns its start, which the caller awaits on every
 * path. The start runs once however often it is asked (the round's `finally` and the
 * teardown may both ask), and only after the stop settled, so it cannot overtake it.
 */
export async function stopNode(ctx: DisruptionContext, adapter: NodeFault, node: string): Promise<() => Promise<void>> {
  // Noted before the stop: a SIGKILL between the two leaves a note of a node that runs, which a start leaves as it is.
  await record(ctx, node, `round ${ctx.round} at ${new Date().toISOString()} (${adapter.name})`);
  const stopping = adapter.stop(node);
  let starting: Promise<void> | undefined;
  const start = (): Promise<void> =>
    (starting ??= stopping
      .catch(() => undefined)
      .then(() => adapter.start(node))
      .then(async () => {
        // Only this stop's entry: a later round may have stopped the node again meanwhile.
        if (stopped.get(node)?.start === start) stopped.delete(node);
        await record(ctx, node, null);
      })
      .catch((err: unknown) => {
        starting = undefined;
        throw err;
      }));
  stopped.set(node, { adapter, round: ctx.round, start });
  try {
    await stopping;
  } catch (err) {
    // A stop that failed half-way (the script timed out) may have stopped the kubelet all the same.
    await start().catch((e: unknown) =>
      ctx.log(`round ${ctx.round}: starting node ${node} after its failed stop failed too: ${describeError(e)}`),
    );
    throw err;
  }
  return start;
}

/** The nodes this process stopped and has not started again. */
export function stoppedNodes(): string[] {
  return [...stopped.keys()];
}

/**
 * Starts every node this process left stopped (a run interrupted mid-fault), each with a
 * line saying so; returns the nodes it could not start (still noted in the run's record).
 */
export async function startStoppedNodes(log: (line: string) => void): Promise<string[]> {
  const failed: string[] = [];
  for (const [node, s] of stopped) {
    log(`node ${node} is still stopped by round ${s.round}'s fault: starting it again (${s.adapter.name}) before exiting`);
    const t0 = performance.now();
    try {
      await s.start();
      log(`node ${node} started again and Ready (${((performance.now() - t0) / 1000).toFixed(1)}s)`);
    } catch (err) {
      failed.push(node);
      log(
        `could not start node ${node} again: ${describeError(err)}; start it by hand (local cluster: bash cluster/scripts/node.sh kubelet-start ${node}, or component.sh start kubelet for the main node)`,
      );
    }
  }
  return failed;
}

/** The nodes a run noted as stopped in its creation record and never un-noted: it died (SIGKILL) with them down. */
export async function nodesLeftStopped(cluster: Cluster, namespace: string): Promise<{ node: string; note: string }[]> {
  // list, not get, as the ownership check reads the record (the example RBAC's grant).
  const l = await cluster.core.listNamespacedConfigMap({ namespace, fieldSelector: `metadata.name=${RECORD_NAME}` });
  const data = l.items[0]?.data ?? {};
  return Object.entries(data)
    .filter(([k]) => k.startsWith(STOPPED_PREFIX))
    .map(([k, note]) => ({ node: k.slice(STOPPED_PREFIX.length), note }));
}

/**
 * For `ordinal cleanup`: starts each node the run in `namespace` left stopped, through this
 * cluster's adapter (the local cluster's scripts, or kind). One line per node said; the
 * problems (no adapter here, a start that failed) are returned for cleanup to say loudly.
 */
export async function startNodesLeftStopped(
  cluster: Cluster,
  namespace: string,
  log: (line: string) => void,
): Promise<{ said: string[]; problems: string[] }> {
  const left = await nodesLeftStopped(cluster, namespace);
  const out = { said: [] as string[], problems: [] as string[] };
  if (left.length === 0) return out;
  const adapter = await detectNodeFault(cluster);
  for (const { node, note } of left) {
    const what = `node ${node}, stopped by the run in ${namespace} (${note}) and never started again`;
    if (!adapter) {
      out.problems.push(
        `${what}: no node-fault adapter for this cluster here (the local cluster run as root, or kind): start its kubelet by hand`,
      );
      continue;
    }
    log(`${what}: starting it (${adapter.name})`);
    try {
      await adapter.start(node);
      out.said.push(`node ${node}: started again and Ready`);
    } catch (err) {
      out.problems.push(`${what}: starting it failed: ${describeError(err)}`);
    }
  }
  return out;
}
