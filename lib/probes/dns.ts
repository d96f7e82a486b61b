// DNS as the cluster's own resolvers answer it. Port-forward carries TCP only, so
// queries go over DNS-over-TCP through local listeners, one per Ready CoreDNS pod behind
// the kube-dns Service, each opening a port-forward per connection to its pod. With
// --dns-server, queries go straight to that host:port instead. What a workload pod sees
// through its own resolver is asked separately (dns-inpod.ts).
//
// A question that got no answer is not a wrong answer: TIMEOUT (nothing within the
// query timeout) and TRANSPORT (refused, reset, closed, port-forward failed) are recorded
// with the error, and the checks treat them as unobserved. So is TRUNCATED: an answer with
// the TC bit set holds only the records that fit, and a partial SRV list judged as whole
// would report every pod left out as missing.
import { createServer, type Server, type Socket } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import DNS from 'dns2';
import type { Cluster } from '../cluster/cluster.ts';
import { ClusterError, UsageError, describeError } from '../errors.ts';
import type { DnsALookup, DnsAnswer, DnsSrvLookup, SrvAnswer } from './records.ts';
import { TIMEOUTS } from '../timeouts.ts';

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

export async function openDnsProbe(cluster: Cluster, override?: string): Promise<DnsProbe> {
  if (override) {
    const { host, port } = parseDnsServer(override);
    const server = tcpDnsServer(host, port, `${host}:${port} (--dns-server)`);
    return { target: server.name, servers: [server], close: () => {} };
  }
  const pods = await findDnsPods(cluster);
  const servers: DnsServer[] = [];
  for (const pod of pods) {
    const fwd = await forwardingServer(cluster, 'kube-system', pod);
    const port = (fwd.server.address() as { port: number }).port;
    servers.push(tcpDnsServer('127.0.0.1', port, `kube-system/${pod} via port-forward`, {
      transportDetail: fwd.lastError,
      close: () => {
        fwd.server.close();
        fwd.closeAll();
      },
    }));
  }
  const probe: DnsProbe = { target: servers.map((s) => s.name).join(', '), servers, close: () => { for (const s of servers) s.close(); } };
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

/** Every Ready pod behind the kube-dns Service, by its selector. */
async function findDnsPods(cluster: Cluster): Promise<string[]> {
  let svc: k8s.V1Service;
  try {
    svc = await cluster.core.readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' });
  } catch (err) {
    throw new ClusterError(`cannot read Service kube-system/kube-dns (${describeError(err)}); pass --dns-server host:port`);
  }
  const selector = Object.entries(svc.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await cluster.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: selector });
  const ready = pods.items
    .filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
    .map((p) => p.metadata?.name ?? '')
    .filter((n) => n !== '')
    .sort();
  if (ready.length === 0) {
    throw new ClusterError(`no Ready pod behind Service kube-system/kube-dns (selector ${selector}); pass --dns-server host:port`);
  }
  return ready;
}

interface Forwarder {
  server: Server;
  lastError: () => string | undefined;
  /** Ends every open connection (and so its port-forward): a timed-out query leaves one open. */
  closeAll: () => void;
}

function forwardingServer(cluster: Cluster, namespace: string, pod: string): Promise<Forwarder> {
  const pf = new k8s.PortForward(cluster.kc);
  let lastError: string | undefined;
  const open = new Set<Socket>();
  const server = createServer((socket: Socket) => {
    // Handlers first: a client reset before the port-forward is up must not crash the process.
    open.add(socket);
    socket.on('close', () => open.delete(socket));
    socket.on('error', () => socket.destroy());
    pf.portForward(namespace, pod, [53], socket, null, socket)
      .then((ws) => {
        const sock = typeof ws === 'function' ? ws() : ws;
        // Tie both ends together: a pod that goes away must end the local connection
        // at once (not after the query timeout), and a finished query frees the stream.
        sock?.on('close', () => socket.end());
        socket.on('close', () => sock?.close());
        socket.on('error', () => sock?.close());
      })
      .catch((err: unknown) => {
        lastError = `port-forward to ${namespace}/${pod} failed: ${describeError(err)}`;
        socket.destroy();
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, lastError: () => lastError, closeAll: () => { for (const s of open) s.destroy(); } }));
  });
}

const isRight = (a: DnsAnswer, ip: string): boolean => a.rcode === 'NOERROR' && a.addresses.length === 1 && a.addresses[0] === ip;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The wait before asking again: the shortest TTL given (a cache cannot change sooner), within 0.5..5 s. */
export const paceOf = (ttls: (number | undefined)[]): number => Math.min(...ttls.map((ttl) => Math.min(Math.max((ttl ?? 1) * 1000, TIMEOUTS.dnsRetryAtLeast), TIMEOUTS.dnsRetryAtMost)));

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
  servers: readonly DnsServer[], pod: string, fqdn: string, settled: string | ((a: DnsAnswer) => boolean), deadline: Deadline, now: () => number,
): Promise<DnsALookup> {
  const ok = typeof settled === 'string' ? (a: DnsAnswer) => isRight(a, settled) : settled;
  const per = servers.map((s) => ({ server: s.name, answers: [] as DnsAnswer[] }));
  for (;;) {
    const pending = servers.map((s, i) => ({ s, i })).filter(({ i }) => {
      const last = per[i]?.answers.at(-1);
      return !last || !ok(last);
    });
    if (pending.length === 0) break;
    const got = await Promise.all(pending.map(({ s }) => s.resolveA(fqdn, now)));
    got.forEach((a, k) => { per[pending[k]!.i]!.answers.push(a); });
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
  servers: readonly DnsServer[], qname: string, want: readonly string[] | ((t: number) => readonly string[]), deadline: Deadline, now: () => number,
): Promise<DnsSrvLookup> {
  const norm = (s: string): string => s.replace(/\.$/, '').toLowerCase();
  const wanted = (t: number): string => [...(typeof want === 'function' ? want(t) : want)].map(norm).sort().join(',');
  const right = (a: SrvAnswer): boolean => a.rcode === 'NOERROR' && a.targets.map((x) => norm(x.target)).sort().join(',') === wanted(a.t);
  let last: SrvAnswer[] = [];
  for (;;) {
    last = await Promise.all(servers.map((s) => s.resolveSrv(qname, now)));
    const wait = paceOf(last.map((a) => a.ttl));
    if (last.every(right) || now() + wait > deadline()) break;
    await sleep(wait);
  }
  const first = last[0] ?? { server: 'none', t: now(), rcode: 'TRANSPORT', targets: [], error: 'no DNS server to ask' };
  return {
    qname, t: first.t, rcode: first.rcode, targets: first.targets, ...(first.error ? { error: first.error } : {}), servers: last,
  };
}
