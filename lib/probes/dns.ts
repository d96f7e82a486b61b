// DNS as the cluster's own resolver answers it. Port-forward carries TCP only, so
// queries go over DNS-over-TCP through a local listener that opens one port-forward
// per connection to a cluster DNS pod (found from the kube-dns Service). With
// --dns-server, queries go straight to that host:port instead.
import { createServer, type Server, type Socket } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import DNS from 'dns2';
import type { Cluster } from '../cluster.ts';
import { ClusterError, UsageError, describeError } from '../errors.ts';
import type { DnsALookup, DnsAnswer, DnsSrvLookup } from '../types.ts';

const RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 5: 'REFUSED' };
const QUERY_TIMEOUT_MS = 5000;

export interface DnsProbe {
  /** Where queries go, for the report (e.g. "kube-system/coredns-abc via port-forward"). */
  target: string;
  resolveA(name: string, now: () => number): Promise<DnsAnswer>;
  resolveSrv(name: string, now: () => number): Promise<DnsSrvLookup>;
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

export async function openDnsProbe(cluster: Cluster, override?: string): Promise<DnsProbe> {
  if (override) {
    const { host, port } = parseDnsServer(override);
    return probeVia(DNS.TCPClient({ dns: host, port }), `${host}:${port} (--dns-server)`, () => {});
  }
  const pod = await findDnsPod(cluster);
  const fwd = await forwardingServer(cluster, 'kube-system', pod);
  const port = (fwd.server.address() as { port: number }).port;
  const probe = probeVia(DNS.TCPClient({ dns: '127.0.0.1', port }), `kube-system/${pod} via port-forward`, () => {
    fwd.server.close();
    fwd.closeAll();
  });
  // One query before the run depends on it: a refused port-forward (RBAC, network
  // policy) must stop the run with exit 2 now, not surface as DNS checks failing later.
  const canary = await probe.resolveA('kubernetes.default.svc.cluster.local', () => 0);
  if (canary.rcode === 'TIMEOUT') {
    probe.close();
    throw new ClusterError(
      `DNS queries through a port-forward to kube-system/${pod} get no answer${fwd.lastError() ? ` (${fwd.lastError()})` : ''}; ` +
        'check the pods/portforward permission in kube-system, or pass --dns-server host:port',
    );
  }
  return probe;
}

async function findDnsPod(cluster: Cluster): Promise<string> {
  let svc: k8s.V1Service;
  try {
    svc = await cluster.core.readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' });
  } catch (err) {
    throw new ClusterError(`cannot read Service kube-system/kube-dns (${describeError(err)}); pass --dns-server host:port`);
  }
  const selector = Object.entries(svc.spec?.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(',');
  const pods = await cluster.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: selector });
  const ready = pods.items.find((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
  if (!ready?.metadata?.name) {
    throw new ClusterError(`no Ready pod behind Service kube-system/kube-dns (selector ${selector}); pass --dns-server host:port`);
  }
  return ready.metadata.name;
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
        lastError = `port-forward failed: ${describeError(err)}`;
        socket.destroy();
      });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, lastError: () => lastError, closeAll: () => { for (const s of open) s.destroy(); } }));
  });
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`TIMEOUT: no answer for ${what} within ${QUERY_TIMEOUT_MS}ms`)), QUERY_TIMEOUT_MS);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

function probeVia(resolve: DNS.DnsResolver, target: string, close: () => void): DnsProbe {
  const ask = async (name: string, type: string): Promise<DNS.Packet | 'TIMEOUT'> => {
    try {
      return await withTimeout(resolve(name, type), `${type} ${name}`);
    } catch {
      return 'TIMEOUT';
    }
  };
  return {
    target,
    close,
    async resolveA(name, now) {
      const p = await ask(name, 'A');
      if (p === 'TIMEOUT') return { t: now(), rcode: 'TIMEOUT', addresses: [] };
      const a = p.answers.filter((r) => r.type === DNS.Packet.TYPE.A);
      const answer: DnsAnswer = { t: now(), rcode: RCODES[p.header.rcode] ?? `RCODE${p.header.rcode}`, addresses: a.map((r) => r.address ?? '').sort() };
      if (a[0]) answer.ttl = a[0].ttl;
      return answer;
    },
    async resolveSrv(name, now) {
      const p = await ask(name, 'SRV');
      if (p === 'TIMEOUT') return { qname: name, t: now(), rcode: 'TIMEOUT', targets: [] };
      const targets = p.answers
        .filter((r) => r.type === DNS.Packet.TYPE.SRV)
        .map((r) => ({ target: String(r.target ?? ''), port: Number(r.port ?? 0) }))
        .sort((x, y) => x.target.localeCompare(y.target));
      return { qname: name, t: now(), rcode: RCODES[p.header.rcode] ?? `RCODE${p.header.rcode}`, targets };
    },
  };
}

/**
 * Ask for `fqdn` until it answers exactly [expectedIp] or `budgetMs` runs out. DNS has
 * no watch; between attempts the probe waits out the TTL it was given (the cache
 * cannot change sooner), so each retry is one the resolver could answer differently.
 */
export async function settleA(
  probe: DnsProbe, pod: string, fqdn: string, expectedIp: string, budgetMs: number, now: () => number,
): Promise<DnsALookup> {
  const lookup: DnsALookup = { fqdn, pod, answers: [] };
  const deadline = now() + budgetMs;
  for (;;) {
    const a = await probe.resolveA(fqdn, now);
    lookup.answers.push(a);
    const settled = a.rcode === 'NOERROR' && a.addresses.length === 1 && a.addresses[0] === expectedIp;
    const wait = Math.min(Math.max((a.ttl ?? 1) * 1000, 500), 5000);
    if (settled || now() + wait > deadline) return lookup;
    await new Promise((r) => setTimeout(r, wait));
  }
}
