// What each node's agent found its kernel can do, published at start in one ConfigMap
// (ordinal-system/ordinal-agent-nodes, a key per node) that `ordinal run`'s preflight
// reads: a disruption the nodes cannot take (delay without sch_netem) is refused with
// exit 2 before anything is created, and the refusal quotes what the node said. Pure.
import { AGENT_NAMESPACE } from './request.ts';

export const CAPABILITIES_NAME = 'ordinal-agent-nodes';
export { AGENT_NAMESPACE };

/** The kernel features a network fault needs: the netem and tbf qdiscs, the iptables statistic match. */
export type Capability = 'netem' | 'tbf' | 'statistic';
export const CAPABILITIES: readonly Capability[] = ['netem', 'tbf', 'statistic'];

export interface CapabilityProbe {
  ok: boolean;
  /** The tool's own words when it failed (e.g. "Error: Specified qdisc kind is unknown."). */
  seen?: string;
}

/** One node's entry: when the agent probed (wall ms) and what each probe gave. */
export interface NodeCapabilities {
  at: number;
  probes: Partial<Record<Capability, CapabilityProbe>>;
}

export function parseNodeCapabilities(text: string | undefined): NodeCapabilities | undefined {
  if (!text) return undefined;
  try {
    const v = JSON.parse(text) as NodeCapabilities;
    return typeof v.at === 'number' && typeof v.probes === 'object' && v.probes !== null ? v : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Why no node can take a fault that needs `cap`, or undefined when one can. `data`: the
 * ConfigMap's data (node -> JSON), undefined when the ConfigMap cannot be read.
 */
export function capabilityProblem(cap: Capability, data: Readonly<Record<string, string>> | undefined, what: string): string | undefined {
  const nodes = Object.entries(data ?? {}).flatMap(([node, text]) => {
    const c = parseNodeCapabilities(text);
    return c ? [[node, c] as const] : [];
  });
  if (nodes.length === 0)
    return `${what} needs to know whether the nodes can do ${cap}, and no node agent has said (ConfigMap ${AGENT_NAMESPACE}/${CAPABILITIES_NAME} ${data ? 'has no node entry' : 'cannot be read'}: an agent from before this check does not publish it; reinstall it with examples/agent.yaml)`;
  if (nodes.some(([, c]) => c.probes[cap]?.ok === true)) return undefined;
  const said = nodes.map(([node, c]) => `${node}: ${c.probes[cap]?.seen ?? 'not probed'}`).join('; ');
  return `${what} needs the ${cap} ${cap === 'statistic' ? 'iptables match' : 'qdisc'}, and no node's kernel has it (the agents' probe: ${said})`;
}
