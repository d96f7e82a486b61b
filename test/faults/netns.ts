// Looking into a pod's network namespace from the host (the fault specs run as root on
// the machine that hosts every node): what the agent left there, read with the host's iptables.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { podPid } from '../../lib/agent/node.ts';
import type { Recorder } from '../../lib/observe/recorder.ts';

const run = promisify(execFile);

/** The filter table of a pod's network namespace, as `iptables -S` prints it. */
export async function rulesOf(podUid: string): Promise<string> {
  const pid = await podPid(podUid);
  if (pid === undefined) throw new Error(`no process of pod uid ${podUid} on this machine`);
  return (await run('nsenter', [`--net=/proc/${pid}/ns/net`, 'iptables', '-w', '5', '-S'])).stdout;
}

/** The bare table a pod starts with: the three policies, nothing else. */
export const BARE = ['-P INPUT ACCEPT', '-P FORWARD ACCEPT', '-P OUTPUT ACCEPT'];

/** The partition whose cut is confirmed and not yet healed, from the run's markers: "round pod", or undefined. */
export function heldPartition(recorder: Recorder): { round: number; pod: string; shape: string } | undefined {
  let open: { round: number; pod: string; shape: string } | undefined;
  for (const e of recorder.timeline) {
    if (e.type !== 'MARKER') continue;
    if (e.marker === 'partition') open = { round: e.round, pod: e.pod, shape: e.shape ?? 'isolate' };
    else if (e.marker === 'partition-healed' && open && e.round === open.round && e.pod === open.pod) open = undefined;
  }
  return open;
}
