// The classic StatefulSet example: headless Service `nginx`, StatefulSet `web`,
// claim template `www`, HTTP on port 80 served from the claim.
import { statefulWorkload, type Workload, type WorkloadOptions } from './common.ts';

export function webWorkload(o: WorkloadOptions): Workload {
  const dataPath = '/usr/share/nginx/html';
  return statefulWorkload(o, 'web', {
    name: 'web',
    service: 'nginx',
    claim: 'www',
    port: { name: 'web', number: 80 },
    dataPath,
    script: `hostname > ${dataPath}/index.html; httpd -f -p 80 -h ${dataPath} & wait`,
    readinessProbe: { httpGet: { path: '/index.html', port: 80 }, periodSeconds: 1, failureThreshold: 1 },
  });
}
