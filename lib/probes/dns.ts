// DNS as the cluster's own resolvers answer it. Port-forward carries TCP only, so
// queries go over DNS-over-TCP through local listeners, one per Ready CoreDNS pod behind
// the kube-dns Service, each opening a port-forward per connection to its pod. With
// --dns-server, queries go straight to that host:port instead. What a workload pod sees
// through its own resolver is asked separately (dns-inpod.ts). The port-forward plumbing
// is in dns-forward.ts, the ask-until-settled loops (settleA, settleSrv) in dns-settle.ts.
//
// A question that got no answer is not a wrong answer: TIMEOUT (nothing within the
// query timeout) and TRANSPORT (refused, reset, closed, port-forward failed) are recorded
// with the error, and the checks treat them as unobserved. So is TRUNCATED: an answer with
// the TC bit set holds only the records that fit, and a partial SRV list judged as whole
// would report every pod left out as missing.
import DNS from 'dns2';
import type { Cluster } from '../cluster/cluster.ts';
import { ClusterError, UsageError, describeError } from '../errors.ts';
import type { DnsAnswer, SrvAnswer } from './records.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { findDnsPods, forwardingServer } from './dns-forward.ts';

const RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 5: 'REFUSED' };
export const UNOBSERVED_RCODES: ReadonlySet<string> = new Set(['TIMEOUT', 'TRANSPORT', 'TRUNCATED']);

/** One resolver the probe asks. */
export interface DnsServer {
  /** For the report, e.g. "kube-system/coredns-abc via port-forward" or "10.0.0.10:53 (--dns-server)". */
  name: string;
  resolveA(name: string, now: () => number): Promise<DnsAnswer>;
  resolveSrv(name: string, now: () => number): Promise<SrvAnswer>;
  close(): void;
}

export interface DnsProbe {
  target: string;
  servers: DnsServer[];
  close(): void;
}

export function parseDnsServer(spec: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(spec);
  const port = Number(m?.[2] ?? 53);
  if (!m?.[1] || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--dns-server must be host or host:port, got "${spec}"`);
  }
  return { host: m[1].replace(/^\[|\]$/g, ''), port };
}

export interface ServerOptions {
  /** Per-query budget before the answer is TIMEOUT. */
  timeoutMs?: number;
  /** Extra words for a TRANSPORT error (e.g. the port-forward's own failure). */
  transportDetail?: () => string | undefined;
  close?: () => void;
}

/** A DNS-over-TCP server at host:port. */
export function tcpDnsServer(host: string, port: number, name: string, o: ServerOptions = {}): DnsServer {
  const timeoutMs = o.timeoutMs ?? TIMEOUTS.dnsQuery;
  const resolve = DNS.TCPClient({ dns: host, port });
  const ask = async (qname: string, type: string): Promise<DNS.Packet | { rcode: 'TIMEOUT' | 'TRANSPORT'; error: string }> => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<{ rcode: 'TIMEOUT'; error: string }>((r) => {
      timer = setTimeout(() => r({ rcode: 'TIMEOUT', error: `no answer for ${type} ${qname} within ${timeoutMs}ms` }), timeoutMs);
    });
    try {
      return await Promise.race([resolve(qname, type), timeout]);
    } catch (err) {
      const extra = o.transportDetail?.();
      return { rcode: 'TRANSPORT', error: `${describeError(err)}${extra ? ` (${extra})` : ''}` };
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    name,
    close: o.close ?? (() => {}),
    async resolveA(qname, now) {
      const p = await ask(qname, 'A');
      return 'rcode' in p ? { t: now(), rcode: p.rcode, addresses: [], error: p.error } : aAnswerOf(p, now());
    },
    async resolveSrv(qname, now) {
      const p = await ask(qname, 'SRV');
      return 'rcode' in p ? { server: name, t: now(), rcode: p.rcode, targets: [], error: p.error } : srvAnswerOf(p, name, now());
    },
  };
}

const rcodeOf = (p: DNS.Packet): string => RCODES[p.header.rcode] ?? `RCODE${p.header.rcode}`;

/** Why a parsed reply cannot be judged as a whole answer, or undefined when it can. */
function incomplete(p: DNS.Packet, listed: string): string | undefined {
  if (p.header.tc) return `the answer was truncated (TC bit set), listing only ${listed}; a partial answer is not judged`;
  if (p.errors.length > 0) return `the reply had ${p.errors.length} undecodable record(s) (${p.errors[0]?.message ?? ''}); not judged`;
  return undefined;
}

/** An A reply as the checks read it (TRUNCATED when the TC bit is set). */
export function aAnswerOf(p: DNS.Packet, t: number): DnsAnswer {
  const a = p.answers.filter((r) => r.type === DNS.Packet.TYPE.A);
  const addresses = a.map((r) => r.address ?? '').sort();
  const partial = incomplete(p, `[${addresses.join(', ')}]`);
  if (partial) return { t, rcode: 'TRUNCATED', addresses: [], error: partial };
  const answer: DnsAnswer = { t, rcode: rcodeOf(p), addresses };
  if (a[0]) answer.ttl = a[0].ttl;
  return answer;
}

/** An SRV reply as the checks read it: TRUNCATED (unobserved) when the TC bit is set, never a partial list. */
export function srvAnswerOf(p: DNS.Packet, server: string, t: number): SrvAnswer {
  const srv = p.answers.filter((r) => r.type === DNS.Packet.TYPE.SRV);
  const targets = srv
    .map((r) => ({ target: String(r.target ?? ''), port: Number(r.port ?? 0) }))
    .sort((x, y) => x.target.localeCompare(y.target));
  const partial = incomplete(p, `${targets.length} target(s): ${targets.map((x) => x.target).join(', ') || 'none'}`);
  if (partial) return { server, t, rcode: 'TRUNCATED', targets: [], error: partial };
  const answer: SrvAnswer = { server, t, rcode: rcodeOf(p), targets };
  if (srv.length > 0) answer.ttl = Math.min(...srv.map((r) => r.ttl));
  return answer;
}

export async function openDnsProbe(cluster: Cluster, override?: string, log?: (line: string) => void): Promise<DnsProbe> {
  if (override) {
    const { host, port } = parseDnsServer(override);
    const server = tcpDnsServer(host, port, `${host}:${port} (--dns-server)`);
    return { target: server.name, servers: [server], close: () => {} };
  }
  const pods = await findDnsPods(cluster, log);
  const servers: DnsServer[] = [];
  for (const pod of pods) {
    const fwd = await forwardingServer(cluster, 'kube-system', pod);
    const port = (fwd.server.address() as { port: number }).port;
    servers.push(
      tcpDnsServer('127.0.0.1', port, `kube-system/${pod} via port-forward`, {
        transportDetail: fwd.lastError,
        close: () => {
          fwd.server.close();
          fwd.closeAll();
        },
      }),
    );
  }
  const probe: DnsProbe = {
    target: servers.map((s) => s.name).join(', '),
    servers,
    close: () => {
      for (const s of servers) s.close();
    },
  };
  // One query per server before the run depends on them: if no server answers (RBAC,
  // network policy), stop the run with exit 2 now instead of every DNS check erroring later.
  const canary = await Promise.all(servers.map((s) => s.resolveA('kubernetes.default.svc.cluster.local', () => 0)));
  if (canary.every((a) => UNOBSERVED_RCODES.has(a.rcode))) {
    probe.close();
    throw new ClusterError(
      `DNS queries through ${pods.length === 1 ? 'a port-forward' : 'the port-forwards'} to ${pods.map((p) => `kube-system/${p}`).join(', ')} get no answer (${canary.map((a) => a.error).join('; ')}); ` +
        'check the pods/portforward permission in kube-system, or pass --dns-server host:port',
    );
  }
  return probe;
}
