// The node side of `loss` and `bandwidth`: iptables and tc run inside a pod's network
// namespace (nsenter, as lib/agent/node.ts does for a partition). The agent heals every
// kind on every heal (healAllFaults): a state file from an older agent, or one lost in a
// crash, cannot leave a rule or a qdisc behind because its kind was not written down.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { TIMEOUTS } from '../timeouts.ts';
import { defaultDev, devsWithTbf, TBF_HANDLE, tbfArgs } from './bandwidth.ts';
import { LOSS_CHAIN, lossHealRules, lossRules } from './loss.ts';
import { applyPartition, healPartition } from './node.ts';
import type { FaultSpec } from './request.ts';

const exec = promisify(execFile);

/** One command inside the netns of `pid`; its output, or what it said on failure. */
export async function inNetns(pid: number, cmd: 'iptables' | 'tc' | 'ip', args: readonly string[]): Promise<{ ok: boolean; out: string }> {
  const full = cmd === 'iptables' ? ['iptables', '-w', '5', ...args] : [cmd, ...args];
  try {
    const r = await exec('nsenter', [`--net=/proc/${pid}/ns/net`, ...full], { timeout: TIMEOUTS.agentIptables });
    return { ok: true, out: r.stdout };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { ok: false, out: (e.stderr ?? e.message).trim() };
  }
}

/** Applies a loss or bandwidth request (clearing any earlier one of ours first); what it applied, or throws with the tool's words. */
export async function applyNetFault(pid: number, spec: FaultSpec): Promise<string> {
  await healNetFaults(pid);
  if (spec.fault === 'loss') {
    for (const args of lossRules(spec.peers, spec.percent ?? 0)) {
      const r = await inNetns(pid, 'iptables', args);
      if (!r.ok) {
        await healNetFaults(pid);
        throw new Error(`iptables ${args.join(' ')} in the netns of pid ${pid}: ${r.out}`);
      }
    }
    return `chain ${LOSS_CHAIN} in the netns of pid ${pid}: DROP ${spec.percent}% to and from ${spec.peers.join(', ')}`;
  }
  const routes = await inNetns(pid, 'ip', ['-o', 'route', 'show', 'default']);
  const dev = defaultDev(routes.out);
  if (!dev) throw new Error(`no default route in the netns of pid ${pid} to shape (ip route: ${routes.out || 'nothing'})`);
  const args = tbfArgs(dev, spec.rateKbit ?? 0);
  const r = await inNetns(pid, 'tc', args);
  if (!r.ok) throw new Error(`tc ${args.join(' ')} in the netns of pid ${pid}: ${r.out}`);
  const shown = await inNetns(pid, 'tc', ['-s', 'qdisc', 'show', 'dev', dev]);
  const line = shown.out.split('\n').find((l) => l.includes(`tbf ${TBF_HANDLE}`));
  if (!line) throw new Error(`tc added the pipe on ${dev} in the netns of pid ${pid}, but tc qdisc show does not list it: ${shown.out}`);
  return `${line.trim()} (netns of pid ${pid})`;
}

/** Removes our loss chain and our tbf qdiscs; true when nothing of either is left. */
export async function healNetFaults(pid: number): Promise<boolean> {
  for (const args of lossHealRules()) await inNetns(pid, 'iptables', args);
  const before = await inNetns(pid, 'tc', ['qdisc', 'show']);
  for (const dev of devsWithTbf(before.out)) await inNetns(pid, 'tc', ['qdisc', 'del', 'dev', dev, 'root', 'handle', TBF_HANDLE]);
  const chain = await inNetns(pid, 'iptables', ['-S', LOSS_CHAIN]);
  const after = await inNetns(pid, 'tc', ['qdisc', 'show']);
  // A netns that is gone answers neither: the caller tells that case apart by the pid.
  return !chain.ok && after.ok && devsWithTbf(after.out).length === 0;
}

/** Applies what the request asks for. */
export async function applyFault(pid: number, spec: FaultSpec): Promise<string> {
  return spec.fault === 'partition' ? applyPartition(pid, spec.peers) : applyNetFault(pid, spec);
}

/** Heals every kind: true when the pod's netns holds nothing of the agent's. */
export async function healAllFaults(pid: number): Promise<boolean> {
  const partitionClean = await healPartition(pid).catch(() => false);
  const netClean = await healNetFaults(pid).catch(() => false);
  return partitionClean && netClean;
}
