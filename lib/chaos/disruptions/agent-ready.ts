// The preflight every node-agent fault shares: the agent runs on some node, and the
// kernels it probed (lib/agent/node-caps.ts) have what the fault needs. Exit 2 with the
// reason, before anything is created.
import { AGENT_NAME, AGENT_NAMESPACE } from '../../agent/request.ts';
import { CAPABILITIES_NAME, type Capability, capabilityProblem } from '../../agent/node-caps.ts';
import type { PreflightContext } from '../disruption.ts';

export const noAgent = (kind: string): string =>
  `${kind} needs the Ordinal node agent (DaemonSet ${AGENT_NAMESPACE}/${AGENT_NAME}), and none is running: an admin installs it with 'kubectl apply -f examples/agent.yaml' (the local cluster's cluster:up does)`;

/** The ConfigMap of the agents' probes, or undefined when it cannot be read. */
export async function nodeCapabilities(ctx: PreflightContext): Promise<Record<string, string> | undefined> {
  const cm = await ctx.cluster.core.readNamespacedConfigMap({ name: CAPABILITIES_NAME, namespace: AGENT_NAMESPACE }).catch(() => undefined);
  return cm ? (cm.data ?? {}) : undefined;
}

/** Why `kind` cannot run: no agent, or no node whose kernel has `cap`. */
export async function agentProblem(ctx: PreflightContext, kind: string, cap: Capability): Promise<string | undefined> {
  const ds = await ctx.cluster.apps.readNamespacedDaemonSet({ name: AGENT_NAME, namespace: AGENT_NAMESPACE }).catch(() => undefined);
  if ((ds?.status?.numberReady ?? 0) === 0) return noAgent(kind);
  return capabilityProblem(cap, await nodeCapabilities(ctx), kind);
}
