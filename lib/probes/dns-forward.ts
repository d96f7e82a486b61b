// The kube-dns side of the DNS probe (dns.ts): which CoreDNS pods to ask, and a local TCP
// listener per pod that opens a port-forward to its port 53 for each connection.
import { createServer, type Server, type Socket } from 'node:net';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import { ClusterError, describeError } from '../errors.ts';

/** Every Ready pod behind the kube-dns Service, by its selector. */
export async function findDnsPods(cluster: Cluster): Promise<string[]> {
  let svc: k8s.V1Service;
  try {
    svc = await cluster.core.readNamespacedService({ name: 'kube-dns', namespace: 'kube-system' });
  } catch (err) {
    throw new ClusterError(`cannot read Service kube-system/kube-dns (${describeError(err)}); pass --dns-server host:port`);
  }
  const selector = Object.entries(svc.spec?.selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
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
