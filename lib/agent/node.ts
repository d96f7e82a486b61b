// The node side of the agent: finding a pod's network namespace from its UID and running
// iptables inside it. Needs hostPID (to see the pod's processes in /proc) and NET_ADMIN
// (to change the rules), which the agent DaemonSet has and nothing else of Ordinal has.
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { TIMEOUTS } from '../timeouts.ts';
import { CHAIN, cgroupMatches, cutRules, healRules, partitionRules } from './request.ts';

const run = promisify(execFile);

/**
 * The pod's oldest process (its sandbox's pause, which holds the network namespace for the
 * pod's whole life), or undefined when none runs on this node. Not just any process of the
 * pod: an exec'd command may be gone before nsenter gets to it.
 */
export async function podPid(podUid: string, proc = '/proc'): Promise<number | undefined> {
  let best: { pid: number; start: number } | undefined;
  for (const entry of await readdir(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    const cgroup = await readFile(`${proc}/${entry}/cgroup`, 'utf8').catch(() => '');
    if (!cgroup || !cgroupMatches(cgroup, podUid)) continue;
    const start = startTime(await readFile(`${proc}/${entry}/stat`, 'utf8').catch(() => ''));
    if (start === undefined) continue;
    if (!best || start < best.start || (start === best.start && Number(entry) < best.pid)) best = { pid: Number(entry), start };
  }
  return best?.pid;
}

/** Field 22 of /proc/<pid>/stat (clock ticks since boot), read after the parenthesised command name, which may hold spaces. */
export function startTime(stat: string): number | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const v = Number(rest[19]);
  return stat.includes(')') && Number.isFinite(v) ? v : undefined;
}

async function iptables(pid: number, args: readonly string[]): Promise<{ ok: boolean; out: string }> {
  try {
    const r = await run('nsenter', [`--net=/proc/${pid}/ns/net`, 'iptables', '-w', '5', ...args], { timeout: TIMEOUTS.agentIptables });
    return { ok: true, out: r.stdout };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    return { ok: false, out: (e.stderr ?? e.message).trim() };
  }
}

/** Cuts `peers` from the pod in both directions and drops what arrives from `inFrom`; clears any earlier chain of ours first. Throws with iptables' words. */
export async function applyPartition(pid: number, peers: readonly string[], inFrom: readonly string[] = []): Promise<string> {
  await healPartition(pid);
  for (const args of partitionRules(peers, inFrom)) {
    const r = await iptables(pid, args);
    if (!r.ok) {
      await healPartition(pid);
      throw new Error(`iptables ${args.join(' ')} in the netns of pid ${pid}: ${r.out}`);
    }
  }
  return describeCut(pid, peers, inFrom);
}

export function describeCut(pid: number, peers: readonly string[], inFrom: readonly string[]): string {
  const both = peers.length > 0 ? `DROP to and from ${peers.join(', ')}` : '';
  const one = inFrom.length > 0 ? `DROP arriving from ${inFrom.join(', ')} (INPUT only)` : '';
  return `chain ${CHAIN} in the netns of pid ${pid}: ${[both, one].filter(Boolean).join('; ')}`;
}

/**
 * Moves a held cut to new peer addresses: the new rules go in before the stale ones come
 * out, so a peer recreated with a new IP is never uncut. Throws with iptables' words.
 */
export async function updatePartition(
  pid: number,
  add: { peers: readonly string[]; inFrom: readonly string[] },
  remove: { peers: readonly string[]; inFrom: readonly string[] },
): Promise<void> {
  for (const args of cutRules('-A', add.peers, add.inFrom)) {
    const r = await iptables(pid, args);
    if (!r.ok) throw new Error(`iptables ${args.join(' ')} in the netns of pid ${pid}: ${r.out}`);
  }
  // A stale rule already gone (a chain rebuilt meanwhile) is what deleting it wants anyway.
  for (const args of cutRules('-D', remove.peers, remove.inFrom)) await iptables(pid, args);
}

/** Removes our chain; true when nothing of it is left. */
export async function healPartition(pid: number): Promise<boolean> {
  for (const args of healRules()) await iptables(pid, args);
  return !(await iptables(pid, ['-S', CHAIN])).ok;
}
