// Topology state: ordinal 0 is the primary and serves its data; every other ordinal
// finds it by its stable DNS name, copies the data, and only then becomes Ready.
// Killing the primary must not change the name the replicas use to find it.
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { TRAP_TERM, labels, validated, type Workload, type WorkloadOptions } from './common.ts';

export const PRIMARY_DATA = 'primary-data';
export const REPLICA_COPY = 'replica-copy';

export function primaryReplicaWorkload(o: WorkloadOptions): Workload {
  const app = 'db';
  const l = labels(o.runId, app);
  const dataPath = '/data';
  const primary = `db-0.db.${o.namespace}.svc.cluster.local`;
  // The primary keeps the data it made on first start (the claim outlives the pod);
  // a replica re-copies at every start, so it proves it can reach the primary now.
  const script = [
    TRAP_TERM,
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
  const service = new Service({
    metadata: { name: 'db', namespace: o.namespace, labels: l },
    spec: { clusterIP: 'None', selector: { app }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  });
  const sts = new StatefulSet({
    metadata: { name: 'db', namespace: o.namespace, labels: l },
    spec: {
      serviceName: 'db',
      replicas: o.replicas,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: l },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: 'db',
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', script],
              ports: [{ name: 'http', containerPort: 80 }],
              readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 },
              volumeMounts: [{ name: 'data', mountPath: dataPath }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data', labels: l },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
            resources: { requests: { storage: o.claimSize } },
          },
        },
      ],
    },
  });
  return {
    info: {
      kind: 'primary-replica',
      namespace: o.namespace,
      statefulSet: 'db',
      service: 'db',
      replicas: o.replicas,
      claimTemplates: ['data'],
      clusterDomain: 'cluster.local',
      portName: 'http',
      podManagementPolicy: 'OrderedReady',
    },
    objects: validated([service, sts]),
    container: 'db',
    dataPath,
    topology: { primaryPath: `${dataPath}/${PRIMARY_DATA}`, copyPath: `${dataPath}/${REPLICA_COPY}` },
  };
}
