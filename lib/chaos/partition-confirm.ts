// Confirmation from inside the target: a partition counts only once a connection from the
// target to each cut peer times out while one to an uncut address (the API server's
// Service) still connects, and a heal only once every peer connects again. Reads the
// outcome of busybox/GNU `nc -w` run through exec; the judging is pure.
import { TIMEOUTS } from '../timeouts.ts';

/** One connection attempt's outcome, as the probe script prints it: "<ip> <rc> <message>". */
export interface Attempt {
  ip: string;
  rc: number;
  message: string;
}

/** Connection seconds each attempt waits before it counts as timed out. */
export const CONNECT_TIMEOUT_S = TIMEOUTS.partitionConnect / 1000;

/** A shell script that tries each address in parallel and prints one line per attempt. */
export function probeScript(targets: readonly { ip: string; port: string }[]): string {
  const one = (t: { ip: string; port: string }): string =>
    `( out=$(nc -w ${CONNECT_TIMEOUT_S} ${t.ip} ${t.port} </dev/null 2>&1 >/dev/null); echo "${t.ip} $? $(echo $out | tr '\\n' ' ')" ) &`;
  return `${targets.map(one).join(' ')} wait`;
}

/** The uncut control: the API server's Service, as every pod's environment names it. */
export const CONTROL = { ip: '$KUBERNETES_SERVICE_HOST', port: '$KUBERNETES_SERVICE_PORT' } as const;

export function parseAttempts(stdout: string): Attempt[] {
  return stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => {
      const [ip = '', rc = '', ...rest] = l.split(' ');
      return { ip, rc: Number(rc), message: rest.join(' ').trim() };
    });
}

const refusedOrUnreachable = (a: Attempt): boolean => /refused|unreachable|no route/i.test(a.message);

/**
 * Why the attempts do not show the partition (each peer timed out, the control connected),
 * or undefined when they do. `elapsedMs`: the probe's wall time, at least the connect
 * timeout when anything timed out.
 */
export function cutProblem(attempts: readonly Attempt[], peers: readonly string[], control: string, elapsedMs: number): string | undefined {
  const by = new Map(attempts.map((a) => [a.ip, a]));
  for (const p of peers) {
    const a = by.get(p);
    if (!a) return `no attempt to peer ${p} was reported`;
    if (a.rc === 0) return `peer ${p} still accepted a connection`;
    if (refusedOrUnreachable(a)) return `peer ${p} answered (${a.message}): not a timeout, so not cut`;
  }
  if (elapsedMs < TIMEOUTS.partitionConnect)
    return `the attempts ended after ${elapsedMs} ms, before the ${CONNECT_TIMEOUT_S}s connect timeout: not timeouts`;
  const c = attempts.find((a) => !peers.includes(a.ip));
  if (!c) return `no attempt to the uncut control ${control} was reported`;
  if (c.rc !== 0)
    return `the uncut control ${c.ip} did not connect either (${c.message || `rc ${c.rc}`}): the pod's network is down, not partitioned`;
  return undefined;
}

/** Why the attempts do not show every peer reachable, or undefined when they do. */
export function openProblem(attempts: readonly Attempt[], peers: readonly string[]): string | undefined {
  const by = new Map(attempts.map((a) => [a.ip, a]));
  const bad = peers.filter((p) => by.get(p)?.rc !== 0);
  if (bad.length === 0) return undefined;
  return bad.map((p) => `peer ${p}: ${by.get(p) ? by.get(p)?.message || `rc ${by.get(p)?.rc}` : 'no attempt reported'}`).join('; ');
}
