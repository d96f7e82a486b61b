// Topology state: ordinal 0 is the primary and serves its data; every other ordinal
// finds it by its stable DNS name, copies the data, and only then becomes Ready.
// Killing the primary must not change the name the replicas use to find it.
import { statefulWorkload, type Workload, type WorkloadOptions } from './common.ts';

export const PRIMARY_DATA = 'primary-data';
export const REPLICA_COPY = 'replica-copy';

export function primaryReplicaWorkload(o: WorkloadOptions): Workload {
  const dataPath = '/data';
  const primary = `db-0.db.${o.namespace}.svc.cluster.local`;
  // The primary keeps the data it made on first start (the claim outlives the pod);
  // a replica re-copies at every start, so it proves it can reach the primary now.
  const script = [
    'ord=${HOSTNAME##*-};',
    'if [ "$ord" = 0 ]; then',
    `  [ -s ${dataPath}/${PRIMARY_DATA} ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d " \\n" > ${dataPath}/${PRIMARY_DATA}.tmp && sync && mv ${dataPath}/${PRIMARY_DATA}.tmp ${dataPath}/${PRIMARY_DATA}; };`,
    'else',
    // Resolve with nslookup (busybox's own resolver) rather than inside wget: static
    // glibc busybox builds cannot resolve names through NSS, and their `wget -T`
    // crashes, hence `timeout`. The name is what counts: it is looked up every try.
    `  until ip=$(nslookup ${primary} 2>/dev/null | awk '/^Name:/ {n=1} n && /^Address/ {print $2; exit}') && [ -n "$ip" ] &&`,
    `    timeout 5 wget -q -O ${dataPath}/${REPLICA_COPY}.tmp "http://$ip/${PRIMARY_DATA}"; do echo "waiting for primary ${primary}"; sleep 1; done;`,
    `  mv ${dataPath}/${REPLICA_COPY}.tmp ${dataPath}/${REPLICA_COPY}; sync;`,
    'fi;',
    `touch /tmp/ready; httpd -f -p 80 -h ${dataPath} & wait`,
  ].join(' ');
  return {
    ...statefulWorkload(o, 'primary-replica', {
      name: 'db',
      service: 'db',
      claim: 'data',
      port: { name: 'http', number: 80 },
      dataPath,
      script,
      readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 },
    }),
    topology: { primaryPath: `${dataPath}/${PRIMARY_DATA}`, copyPath: `${dataPath}/${REPLICA_COPY}` },
  };
}
