// The classic StatefulSet example: headless Service `nginx`, StatefulSet `web`,
// claim template `www`, HTTP on port 80 served from the claim.
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
import { TRAP_TERM, labels, validated, type Workload, type WorkloadOptions } from './common.ts';

export function webWorkload(o: WorkloadOptions): Workload {
  const app = 'web';
  const l = labels(o.runId, app);
  const dataPath = '/usr/share/nginx/html';
  const service = new Service({
    metadata: { name: 'nginx', namespace: o.namespace, labels: l },
    spec: { clusterIP: 'None', selector: { app }, ports: [{ name: 'web', port: 80, protocol: 'TCP' }] },
  });
  const sts = new StatefulSet({
    metadata: { name: 'web', namespace: o.namespace, labels: l },
    spec: {
      serviceName: 'nginx',
      replicas: o.replicas,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: { app } },
      template: {
        metadata: { labels: l },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: 'web',
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', `${TRAP_TERM} hostname > ${dataPath}/index.html; httpd -f -p 80 -h ${dataPath} & wait`],
              ports: [{ name: 'web', containerPort: 80 }],
              readinessProbe: { httpGet: { path: '/index.html', port: 80 }, periodSeconds: 1, failureThreshold: 1 },
              volumeMounts: [{ name: 'www', mountPath: dataPath }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'www', labels: l },
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
      kind: 'web',
      namespace: o.namespace,
      statefulSet: 'web',
      service: 'nginx',
      replicas: o.replicas,
      claimTemplates: ['www'],
      clusterDomain: 'cluster.local',
      portName: 'web',
      podManagementPolicy: 'OrderedReady',
    },
    objects: validated([service, sts]),
    container: 'web',
    dataPath,
  };
}
