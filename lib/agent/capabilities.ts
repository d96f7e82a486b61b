// The agent's probe of its node's kernel, run once at start in the agent's own network
// namespace (a throwaway qdisc or rule on its own loopback, removed at once), and its
// entry in the ConfigMap lib/agent/node-caps.ts describes. A probe that fails is an
// answer, not an error: the entry says what the tool said.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { describeError } from '../errors.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { CAPABILITIES_NAME, type Capability, type CapabilityProbe, type NodeCapabilities } from './node-caps.ts';
import { AGENT_NAMESPACE } from './request.ts';

const exec = promisify(execFile);
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
/** Not the bandwidth fault's handle: a probe never touches what a fault owns. */
const PROBE_HANDLE = '4f53:';

async function tool(cmd: string, args: readonly string[]): Promise<CapabilityProbe> {
  try {
    await exec(cmd, args, { timeout: TIMEOUTS.agentIptables });
    return { ok: true };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { ok: false, seen: (e.stderr || e.message).trim().split('\n')[0] ?? '' };
  }
}

/** Adds the thing, removes it again; ok when the add worked. */
async function probe(add: readonly string[], del: readonly string[], cmd: 'tc' | 'iptables'): Promise<CapabilityProbe> {
  const r = await tool(cmd, add);
  if (r.ok) await tool(cmd, del);
  return r;
}

export async function probeCapabilities(): Promise<NodeCapabilities['probes']> {
  const qdisc = (kind: readonly string[]) =>
    probe(
      ['qdisc', 'add', 'dev', 'lo', 'root', 'handle', PROBE_HANDLE, ...kind],
      ['qdisc', 'del', 'dev', 'lo', 'root', 'handle', PROBE_HANDLE],
      'tc',
    );
  const rule = ['OUTPUT', '-o', 'lo', '-m', 'statistic', '--mode', 'random', '--probability', '0', '-j', 'RETURN'];
  const out: Partial<Record<Capability, CapabilityProbe>> = {};
  out.netem = await qdisc(['netem', 'delay', '1ms']);
  out.tbf = await qdisc(['tbf', 'rate', '1mbit', 'burst', '4096', 'latency', '50ms']);
  out.statistic = await probe(['-w', '5', '-A', ...rule], ['-w', '5', '-D', ...rule], 'iptables');
  return out;
}

/** Probes and writes this node's entry (creating the ConfigMap if no agent has yet); failures are logged, never fatal. */
export async function publishCapabilities(c: Cluster, node: string, log: (line: string) => void): Promise<void> {
  const namespace = process.env.POD_NAMESPACE || AGENT_NAMESPACE;
  const entry: NodeCapabilities = { at: Date.now(), probes: await probeCapabilities() };
  const data = { [node]: JSON.stringify(entry) };
  const said = Object.entries(entry.probes)
    .map(([k, v]) => `${k} ${v.ok ? 'yes' : `no (${v.seen})`}`)
    .join(', ');
  const patch = () => c.core.patchNamespacedConfigMap({ name: CAPABILITIES_NAME, namespace, body: { data } }, merge);
  try {
    await patch().catch(async (err: unknown) => {
      if ((err as { code?: number }).code !== 404) throw err;
      // Agents start together: another one may create it between our patch and our create.
      await c.core
        .createNamespacedConfigMap({ namespace, body: { metadata: { name: CAPABILITIES_NAME }, data } })
        .catch((e: unknown) => ((e as { code?: number }).code === 409 ? patch() : Promise.reject(e)));
    });
    log(`node ${node}: ${said} (published in ${namespace}/${CAPABILITIES_NAME})`);
  } catch (err) {
    log(`node ${node}: ${said}; cannot publish it in ${namespace}/${CAPABILITIES_NAME}: ${describeError(err)}`);
  }
}
