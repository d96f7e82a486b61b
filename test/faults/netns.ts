// Looking into a pod's network namespace from the host, as the heal specs do: the test
// runs as root on the machine that hosts every node of the local cluster, so the pod's
// sandbox process is in this /proc and nsenter reaches its iptables.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { podPid } from '../../lib/agent/node.ts';

const run = promisify(execFile);

/** The bare filter table of a pod no one added rules to. */
export const BARE_RULES = ['-P INPUT ACCEPT', '-P FORWARD ACCEPT', '-P OUTPUT ACCEPT'];

/** The filter table of the pod's network namespace (`iptables -S`), or undefined when the pod has no process here (gone). */
export async function rulesOf(podUid: string): Promise<string | undefined> {
  const pid = await podPid(podUid);
  if (pid === undefined) return undefined;
  const r = await run('nsenter', [`--net=/proc/${pid}/ns/net`, 'iptables', '-w', '5', '-S']).catch(() => undefined);
  return r?.stdout;
}

/** Like rulesOf, but a pod with no network namespace on this machine is an error: the check would be vacuous. */
export async function rulesOfLive(podUid: string): Promise<string> {
  const rules = await rulesOf(podUid);
  if (rules === undefined) throw new Error(`no process of pod uid ${podUid} on this machine: its rules cannot be read`);
  return rules;
}
