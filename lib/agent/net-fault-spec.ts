// The fault requests besides partition that act on a pod's network: `loss` (a share of
// the packets to and from each peer dropped, lib/agent/loss.ts) and `bandwidth` (the
// pod's egress through a token bucket, lib/agent/bandwidth.ts). Pure: what a request may
// hold, checked before any of it reaches iptables or tc.
import type { NetFaultKind } from '../model.ts';

export type { NetFaultKind };
export const NET_FAULT_KINDS: readonly NetFaultKind[] = ['loss', 'bandwidth'];

export const isNetFaultKind = (s: unknown): s is NetFaultKind => (NET_FAULT_KINDS as readonly unknown[]).includes(s);

/** What the agent accepts: a loss of 1-99 % (0 and 100 are no fault and a partition), a pipe of 8 kbit/s to 1 Gbit/s. */
export const LOSS_PERCENT = { min: 1, max: 99 } as const;
export const RATE_KBIT = { min: 8, max: 1_000_000 } as const;

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIpv4 = (s: unknown): s is string => typeof s === 'string' && IPV4.test(s) && s.split('.').every((o) => Number(o) <= 255);

const intIn = (text: string | undefined, r: { min: number; max: number }): number | undefined => {
  const v = Number(text);
  return text !== undefined && /^\d+$/.test(text) && v >= r.min && v <= r.max ? v : undefined;
};

/** A loss or bandwidth request's spec (request.ts's FaultSpec, which imports this file, narrowed). */
export interface NetFaultSpec {
  fault: NetFaultKind;
  pod: string;
  podUid: string;
  peers: string[];
  expires: number;
  heal: boolean;
  percent?: number;
  rateKbit?: number;
}

/** The spec of a loss or bandwidth request, or why it is not one. */
export function parseNetFaultSpec(d: Readonly<Record<string, string>>): NetFaultSpec | string {
  const fault = d.fault;
  if (!isNetFaultKind(fault)) return `unknown fault "${fault ?? ''}"`;
  if (!d.pod || !d.podUid) return 'no pod or podUid';
  const expires = Number(d.expires);
  if (!Number.isFinite(expires) || expires <= 0) return `expires is not a wall-clock ms time: ${d.expires ?? '(none)'}`;
  const base = { pod: d.pod, podUid: d.podUid, expires, heal: d.heal === 'true' };
  if (fault === 'bandwidth') {
    const rateKbit = intIn(d.rateKbit, RATE_KBIT);
    if (rateKbit === undefined) return `rateKbit must be an integer in ${RATE_KBIT.min}..${RATE_KBIT.max}, got ${d.rateKbit ?? '(none)'}`;
    return { fault, ...base, peers: [], rateKbit };
  }
  let peers: unknown;
  try {
    peers = JSON.parse(d.peers ?? '');
  } catch {
    return `peers is not a JSON list: ${d.peers ?? '(none)'}`;
  }
  // Only literal IPv4 addresses and a bounded integer reach iptables: nothing the request holds becomes an option.
  if (!Array.isArray(peers) || peers.length === 0 || !peers.every(isIpv4))
    return `peers must be a non-empty list of IPv4 addresses, got ${d.peers}`;
  const percent = intIn(d.percent, LOSS_PERCENT);
  if (percent === undefined) return `percent must be an integer in ${LOSS_PERCENT.min}..${LOSS_PERCENT.max}, got ${d.percent ?? '(none)'}`;
  return { fault, ...base, peers: peers as string[], percent };
}
