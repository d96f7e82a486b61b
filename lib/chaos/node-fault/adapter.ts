// Taking a node down and bringing it back is cluster-specific, so it is a small adapter:
// the built-in local cluster (its own scripts, by recorded PID), kind (docker pause and
// unpause of the node's container) or any cluster through --node-fault-command. The
// harness only ever calls stop(node) and start(node); start must leave the node Ready.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Cluster } from '../../cluster/cluster.ts';
import { ClusterError } from '../../errors.ts';
import { localClusterScripts, localKubeconfigPath } from '../../cluster/local.ts';
import { redact } from '../../redact.ts';
import { TIMEOUTS } from '../../timeouts.ts';

export interface NodeFault {
  /** Which adapter, for logs and the dry run. */
  readonly name: string;
  stop(node: string): Promise<void>;
  start(node: string): Promise<void>;
}

/** component.sh waits up to 120 s for the kubelet to be healthy and its node Ready. */

function run(file: string, args: string[], what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: TIMEOUTS.nodeCommand }, (err, stdout, stderr) => {
      if (!err) return resolve();
      // The user's command may print what it was given: redacted before it goes anywhere.
      const output = redact(`${stdout}${stderr}`.trim().split('\n').slice(-10).join('\n'));
      reject(
        new ClusterError(`${what} failed (${err.killed ? `killed after ${TIMEOUTS.nodeCommand / 1000}s` : `exit ${err.code}`})`, output),
      );
    });
  });
}

/**
 * `--node-fault-command '<cmd> {action} {node}'`: {action} is stop or start, {node} the node
 * name (shell-quoted). Secrets belong in the command's environment (it inherits Ordinal's);
 * an inline one is redacted from every message that names the command.
 */
export function commandNodeFault(template: string): NodeFault {
  const quote = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
  const call = (action: 'stop' | 'start', node: string): Promise<void> => {
    const cmd = template.replaceAll('{action}', action).replaceAll('{node}', quote(node));
    return run('sh', ['-c', cmd], `--node-fault-command for ${action} ${node} (${redact(cmd)})`);
  };
  return { name: `command: ${redact(template)}`, stop: (n) => call('stop', n), start: (n) => call('start', n) };
}

/** kind: each node is a docker container; a paused one stops answering, as a frozen machine would. */
export function kindNodeFault(): NodeFault {
  return {
    name: 'kind (docker pause/unpause)',
    stop: (n) => run('docker', ['pause', n], `docker pause ${n}`),
    start: (n) => run('docker', ['unpause', n], `docker unpause ${n}`),
  };
}

/**
 * The built-in local cluster: the main node's kubelet through component.sh, any other
 * node's through node.sh (the multi-node cluster's script, which refuses the main node).
 * Both stop by recorded PID, never by name; the containers keep running, as on a node
 * whose agent died or was cut off.
 */
export function localNodeFault(scripts: string, mainNode: string): NodeFault {
  const script = (name: string): string => path.join(scripts, name);
  const call = (action: 'stop' | 'start', node: string): Promise<void> => {
    if (node === mainNode) return run('bash', [script('component.sh'), action, 'kubelet'], `component.sh ${action} kubelet (node ${node})`);
    if (!existsSync(script('node.sh')))
      throw new ClusterError(`node ${node} is not the local cluster's main node (${mainNode}) and cluster/scripts/node.sh is missing`);
    return run('bash', [script('node.sh'), `kubelet-${action}`, node], `node.sh kubelet-${action} ${node}`);
  };
  return { name: 'local cluster (cluster/scripts, by recorded PID)', stop: (n) => call('stop', n), start: (n) => call('start', n) };
}

/** NODE_NAME from cluster/scripts/lib.sh: the node whose kubelet component.sh runs. */
function localMainNode(scripts: string): string | undefined {
  return /^NODE_NAME=(\S+)$/m.exec(readFileSync(path.join(scripts, 'lib.sh'), 'utf8'))?.[1];
}

/** The server the local cluster's kubeconfig names, when that kubeconfig exists. */
function localServer(): string | undefined {
  const file = localKubeconfigPath();
  if (!existsSync(file)) return undefined;
  return /^\s*server:\s*(\S+)\s*$/m.exec(readFileSync(file, 'utf8'))?.[1];
}

/**
 * The adapter for this cluster: the command when given; else the local cluster when the
 * run talks to the server its kubeconfig names (and we are root, as its scripts need);
 * else kind when every node says so in its providerID; else none (node faults need
 * --node-fault-command there).
 */
export async function detectNodeFault(cluster: Cluster, command?: string): Promise<NodeFault | undefined> {
  if (command) return commandNodeFault(command);
  const scripts = localClusterScripts();
  const main = scripts ? localMainNode(scripts) : undefined;
  if (scripts && main && process.getuid?.() === 0 && localServer() === cluster.server) return localNodeFault(scripts, main);
  const nodes = await cluster.core.listNode();
  if (nodes.items.length > 0 && nodes.items.every((n) => n.spec?.providerID?.startsWith('kind://'))) return kindNodeFault();
  return undefined;
}
