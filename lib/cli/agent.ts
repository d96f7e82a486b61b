// `ordinal agent`: runs the node agent (lib/agent/agent.ts) in the DaemonSet of
// examples/agent.yaml. Not for people: it needs hostPID, NET_ADMIN and NODE_NAME.
import { parseArgs } from 'node:util';
import { UsageError } from '../errors.ts';
import { logLine } from './output.ts';

export async function agentCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { state: { type: 'string', default: '/var/lib/ordinal-agent/state.json' } } });
  const node = process.env.NODE_NAME;
  if (!node) throw new UsageError('ordinal agent needs NODE_NAME (the downward API spec.nodeName, as examples/agent.yaml sets it)');
  const { connect } = await import('../cluster/cluster.ts');
  const { Agent } = await import('../agent/agent.ts');
  const cluster = await connect({ startLocal: false });
  const stop = new AbortController();
  for (const s of ['SIGTERM', 'SIGINT'] as const) process.once(s, () => stop.abort());
  await new Agent(cluster, { node, statePath: values.state, log: (l) => logLine(l) }).run(stop.signal);
  return 0;
}
