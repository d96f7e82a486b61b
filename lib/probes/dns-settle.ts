// Asking the DNS probe's servers (dns.ts) again until their answers settle: DNS has no
// watch, so a check that waits for a record to follow a pod polls, paced by the TTLs.
import type { DnsALookup, DnsAnswer, DnsSrvLookup, SrvAnswer } from './records.ts';
import { TIMEOUTS } from '../timeouts.ts';
import type { DnsServer } from './dns.ts';

const isRight = (a: DnsAnswer, ip: string): boolean => a.rcode === 'NOERROR' && a.addresses.length === 1 && a.addresses[0] === ip;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The wait before asking again: the shortest TTL given (a cache cannot change sooner), within 0.5..5 s. */
export const paceOf = (ttls: (number | undefined)[]): number =>
  Math.min(...ttls.map((ttl) => Math.min(Math.max((ttl ?? 1) * 1000, TIMEOUTS.dnsRetryAtLeast), TIMEOUTS.dnsRetryAtMost)));

/** When a settle loop gives up (run ms), asked again before each pause: it may move later (an API outage just ended). */
export type Deadline = () => number;

/** A deadline `ms` from now. */
export const within = (ms: number, now: () => number): Deadline => {
  const end = now() + ms;
  return () => end;
};

/**
 * Ask every server for `fqdn` until each answers as `settled` says (or exactly
 * [expectedIp]) or the deadline passes. DNS has no watch; between attempts the probe
 * waits out the shortest TTL it was given, asking again only the servers not yet settled.
 */
export async function settleA(
  servers: readonly DnsServer[],
  pod: string,
  fqdn: string,
  settled: string | ((a: DnsAnswer) => boolean),
  deadline: Deadline,
  now: () => number,
): Promise<DnsALookup> {
  const ok = typeof settled === 'string' ? (a: DnsAnswer) => isRight(a, settled) : settled;
  const per = servers.map((s) => ({ server: s.name, answers: [] as DnsAnswer[] }));
  for (;;) {
    const pending = servers
      .map((s, i) => ({ s, i }))
      .filter(({ i }) => {
        const last = per[i]?.answers.at(-1);
        return !last || !ok(last);
      });
    if (pending.length === 0) break;
    const got = await Promise.all(pending.map(({ s }) => s.resolveA(fqdn, now)));
    got.forEach((a, k) => {
      per[pending[k]!.i]!.answers.push(a);
    });
    if (got.every(ok)) break;
    const wait = paceOf(got.map((a) => a.ttl));
    if (now() + wait > deadline()) break;
    await sleep(wait);
  }
  return { fqdn, pod, answers: per[0]?.answers ?? [], servers: per };
}

/**
 * SRV for `qname`, asked again (paced by the TTL) until every server lists exactly the
 * names `want` gives for the moment of its answer, or the deadline passes.
 */
export async function settleSrv(
  servers: readonly DnsServer[],
  qname: string,
  want: readonly string[] | ((t: number) => readonly string[]),
  deadline: Deadline,
  now: () => number,
): Promise<DnsSrvLookup> {
  const norm = (s: string): string => s.replace(/\.$/, '').toLowerCase();
  const wanted = (t: number): string => [...(typeof want === 'function' ? want(t) : want)].map(norm).sort().join(',');
  const right = (a: SrvAnswer): boolean =>
    a.rcode === 'NOERROR' &&
    a.targets
      .map((x) => norm(x.target))
      .sort()
      .join(',') === wanted(a.t);
  let last: SrvAnswer[] = [];
  for (;;) {
    last = await Promise.all(servers.map((s) => s.resolveSrv(qname, now)));
    const wait = paceOf(last.map((a) => a.ttl));
    if (last.every(right) || now() + wait > deadline()) break;
    await sleep(wait);
  }
  const first = last[0] ?? { server: 'none', t: now(), rcode: 'TRANSPORT', targets: [], error: 'no DNS server to ask' };
  return {
    qname,
    t: first.t,
    rcode: first.rcode,
    targets: first.targets,
    ...(first.error ? { error: first.error } : {}),
    servers: last,
  };
}
