// The kube-dns side of the DNS probe (dns.ts): which CoreDNS pods to ask, and a local TCP
// listener per pod that opens a port-forward to its port 53 for each connection.
import { createServer, type Server, type Socket } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { ClusterError, describeError } from '../errors.ts';
import { TIMEOUTS } from '../timeouts.ts';

/**
 * Every Ready pod behind the kube-dns Service, by its selector. CoreDNS may be between
 * Ready states (its node's kubelet restarting, a rollout): the list is asked again until
 * TIMEOUTS.dnsPodsReady has passed, and only then is "none Ready" an error, naming the
 * pods seen and their phases.
 */
export async function findDnsPods(cluster: Cluster, log: (line: string) => void = () => {}): Promise<string[]> {
  let svc: k8s.V1Service;
  try {
    svc = await cluster.core.readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' });
  } catch (err) {
    throw new ClusterError(`cannot read Service kube-system/kube-dns (${describeError(err)}); pass --dns-server host:port`);
  }
  const selector = Object.entries(svc.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const started = Date.now();
  let lastSaid = started;
  for (;;) {
    const pods = await cluster.core.listNamespacedPod({ namespace: 'kube-system', labelSelector: selector });
    const ready = pods.items
      .filter((p) => !p.metadata?.deletionTimestamp && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      .map((p) => p.metadata?.name ?? '')
      .filter((n) => n !== '')
      .sort();
    if (ready.length > 0) return ready;
    const seen = pods.items.map((p) => `${p.metadata?.name ?? '?'} ${p.status?.phase ?? 'unknown'}/not ready`).join(', ') || 'no pods';
    const waited = Date.now() - started;
    if (waited >= TIMEOUTS.dnsPodsReady) {
      throw new ClusterError(
        `no Ready pod behind Service kube-system/kube-dns (selector ${selector}) after ${TIMEOUTS.dnsPodsReady / 1000}s: ${seen}; pass --dns-server host:port`,
      );
    }
    if (Date.now() - lastSaid >= TIMEOUTS.waitProgressEvery) {
      lastSaid = Date.now();
      log(
        `waiting for a Ready pod behind kube-system/kube-dns (${Math.round(waited / 1000)}s of ${TIMEOUTS.dnsPodsReady / 1000}s): ${seen}`,
      );
    }
    await sleep(TIMEOUTS.dnsPodsPoll);
  }
}

export interface Forwarder {
  server: Server;
  lastError: () => string | undefined;
  /** Ends every open connection (and so its port-forward): a timed-out query leaves one open. */
  closeAll: () => void;
}

export function forwardingServer(cluster: Cluster, namespace: string, pod: string): Promise<Forwarder> {
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
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        lastError: () => lastError,
        closeAll: () => {
          for (const s of open) s.destroy();
        },
      }),
    );
  });
}
