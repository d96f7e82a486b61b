// Topology state and storage state at once: an etcd cluster whose members find each
// other only by their stable DNS names (`etcd-N.etcd.<ns>.svc.<domain>:2380`) and keep
// their data directory on their claim. A member that restarts on its claim finds its
// data directory and rejoins with the same member ID (etcd ignores the --initial-*
// flags once it has data); a member whose data directory is lost cannot rejoin
// (its peers know its ID as already started), and STS-APP-MEMBERSHIP says so.
//
// Readiness is the peer port listening, not client health: etcd opens its client port
// only once the cluster has quorum, so under OrderedReady a probe on client health would
// keep etcd-0 from ever being Ready (etcd-1 is created only after it). The cluster's
// health is judged after chaos by the membership probe. The headless Service publishes
// not-ready addresses, as real etcd StatefulSets do: at start a member resolves its own
// and its peers' names before it can be Ready.
import type { IContainer } from 'kubernetes-models/v1/Container';
import { ordinals } from '../names.ts';
import { statefulWorkload, type Workload, type WorkloadOptions } from './common.ts';

/**
 * The public name of the etcd image at the version the local cluster runs for its own
 * control plane (cluster/go/k8s/go.mod); the local cluster builds and preloads it.
 */
export const ETCD_IMAGE = 'registry.k8s.io/etcd:3.6.4-0';
export const ETCD_CLIENT_PORT = { name: 'client', number: 2379 } as const;
export const ETCD_PEER_PORT = { name: 'peer', number: 2380 } as const;
/** The claim's mount; etcd's data directory is a subdirectory, so the sentinel sits beside it, not in it. */
export const ETCD_MOUNT = '/var/lib/etcd';
export const ETCD_DATA_DIR = `${ETCD_MOUNT}/data`;

/** Member counts the sample accepts: odd (an even count tolerates no more failures than one less), at most 7. */
export const ETCD_MEMBER_COUNTS = [1, 3, 5, 7] as const;

export function etcdWorkload(o: WorkloadOptions): Workload {
  const name = 'etcd';
  const service = 'etcd';
  const domain = 'cluster.local';
  const host = (pod: string): string => `${pod}.${service}.${o.namespace}.svc.${domain}`;
  const initialCluster = ordinals({ replicas: o.replicas, options: o.sts })
    .map((i) => `${name}-${i}=http://${host(`${name}-${i}`)}:${ETCD_PEER_PORT.number}`)
    .join(',');
  const self = `$HOSTNAME.${service}.${o.namespace}.svc.${domain}`;
  // exec: etcd itself is PID 1 and answers SIGTERM by stopping at once (a graceful delete is quick and real).
  const script = [
    `mkdir -p ${ETCD_DATA_DIR} && chmod 700 ${ETCD_DATA_DIR};`,
    `exec etcd --name "$HOSTNAME" --data-dir ${ETCD_DATA_DIR}`,
    `--listen-peer-urls http://0.0.0.0:${ETCD_PEER_PORT.number} --listen-client-urls http://0.0.0.0:${ETCD_CLIENT_PORT.number}`,
    `--initial-advertise-peer-urls "http://${self}:${ETCD_PEER_PORT.number}" --advertise-client-urls "http://${self}:${ETCD_CLIENT_PORT.number}"`,
    `--initial-cluster ${initialCluster} --initial-cluster-state new --initial-cluster-token ${o.runId}`,
  ].join(' ');
  const w = statefulWorkload(o, 'etcd', {
    name,
    service,
    claim: 'data',
    port: ETCD_CLIENT_PORT,
    dataPath: ETCD_MOUNT,
    script,
    readinessProbe: { tcpSocket: { port: ETCD_PEER_PORT.number }, periodSeconds: 1, failureThreshold: 1 },
  });
  for (const obj of w.objects) {
    if (obj.kind === 'Service' && obj.spec) {
      obj.spec.publishNotReadyAddresses = true;
      obj.spec.ports = [ETCD_CLIENT_PORT, ETCD_PEER_PORT].map((p) => ({ name: p.name, port: p.number, protocol: 'TCP' }));
    }
    if (obj.kind === 'StatefulSet') {
      const c: IContainer | undefined = obj.spec?.template.spec?.containers[0];
      if (c) c.ports = [ETCD_CLIENT_PORT, ETCD_PEER_PORT].map((p) => ({ name: p.name, containerPort: p.number }));
    }
  }
  w.info.publishNotReadyAddresses = true;
  return { ...w, etcd: { clientPort: ETCD_CLIENT_PORT.number, dataDir: ETCD_DATA_DIR } };
}
