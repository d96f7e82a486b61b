// Confirming a partition shape pair by pair (lib/chaos/partition-shape.ts): from inside
// each pod the shape involves, a connection to every pod it cuts must time out while one
// to every pod it leaves alone (and to the API server's Service) connects; after the
// heal, every one connects. A one-way cut fails TCP both ways (the handshake needs both
// directions), so it is confirmed at the packet level too: echo requests from the pod
// that drops reach the peer it drops, counted in the peer's own /proc/net/snmp, and
// none arrive the other way. Pure: judges what the probes printed.
import { TIMEOUTS } from '../timeouts.ts';
import { type Attempt, CONNECT_TIMEOUT_S } from './partition-confirm.ts';

/**
 * `cut`: must time out. `open`: must connect. `reachable`: a port nothing listens on
 * (the traffic client's): a refusal proves the packets got there, a timeout that they did not.
 */
export type Expected = 'cut' | 'open' | 'reachable';

export interface Expectation {
  ip: string;
  /** Pod name or "the API server Service", for the message. */
  label: string;
  expect: Expected;
}

const answered = (a: Attempt): boolean => /refused|unreachable|no route/i.test(a.message);

/** Why the attempts from `from` do not show what `expected` says, or undefined when they do. */
export function matrixProblem(
  from: string,
  attempts: readonly Attempt[],
  expected: readonly Expectation[],
  elapsedMs: number,
): string | undefined {
  const by = new Map(attempts.map((a) => [a.ip, a]));
  const problems: string[] = [];
  let timedOut = false;
  for (const e of expected) {
    const a = by.get(e.ip);
    if (!a) {
      problems.push(`no attempt from ${from} to ${e.label} (${e.ip}) was reported`);
      continue;
    }
    const seen = a.rc === 0 ? 'connected' : a.message || `rc ${a.rc}`;
    if (e.expect === 'cut') {
      if (a.rc === 0 || answered(a)) problems.push(`${from} → ${e.label} (${e.ip}) must time out (cut) but ${seen}: not cut`);
      else timedOut = true;
    } else if (e.expect === 'open' && a.rc !== 0) problems.push(`${from} → ${e.label} (${e.ip}) must connect (not cut) but ${seen}`);
    else if (e.expect === 'reachable' && a.rc !== 0 && !answered(a))
      problems.push(`${from} → ${e.label} (${e.ip}) must be reached (connected or refused) but ${seen}`);
  }
  if (problems.length > 0) return problems.join('; ');
  if (timedOut && elapsedMs < TIMEOUTS.partitionConnect)
    return `the attempts from ${from} ended after ${elapsedMs} ms, before the ${CONNECT_TIMEOUT_S}s connect timeout: not timeouts`;
  return undefined;
}

/** Icmp InEchos of a network namespace, from its /proc/net/snmp (a header line, then a value line). */
export function inEchos(snmp: string): number | undefined {
  const lines = snmp.split('\n').filter((l) => l.startsWith('Icmp:'));
  const [head, values] = lines.map((l) => l.trim().split(/\s+/).slice(1));
  const i = head?.indexOf('InEchos') ?? -1;
  const v = i >= 0 ? Number(values?.[i]) : Number.NaN;
  return Number.isInteger(v) ? v : undefined;
}

/** Echo requests each side sends the other. */
export const ECHOES = 3;

/**
 * `dropper` drops what arrives from `peer`. `reached`: how many of the ECHOES echo
 * requests each one's /proc/net/snmp counted arriving. Undefined when the cut is one-way
 * at the packet level: all of dropper's reached peer, none of peer's reached dropper.
 */
export function oneWayProblem(dropper: string, peer: string, reached: { atPeer: number; atDropper: number }): string | undefined {
  const problems: string[] = [];
  if (reached.atPeer < ECHOES)
    problems.push(
      `${peer} counted ${reached.atPeer} of ${ECHOES} echo requests from ${dropper}: the way from ${dropper} to ${peer} is not open`,
    );
  if (reached.atDropper > 0)
    problems.push(`${dropper} counted ${reached.atDropper} echo requests from ${peer}: what ${peer} sends still arrives`);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** The shell that prints a namespace's InEchos count (busybox cat). */
export const SNMP_SCRIPT = 'cat /proc/net/snmp';

/** Pings `ip` ECHOES times (busybox ping); its exit status is not the confirmation, the counters are. */
export const pingScript = (ip: string): string => `ping -c ${ECHOES} -W 1 ${ip} >/dev/null 2>&1; true`;
