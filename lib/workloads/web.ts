// The classic StatefulSet example: headless Service `nginx`, StatefulSet `web`,
// claim template `www`, HTTP on port 80 served from the claim.
//
// Traffic during chaos writes through /cgi-bin/put?key=K (lib/traffic/driver.ts): the
// CGI appends K to a file on the claim and fsyncs that file (busybox `sync -d`) before
// it answers `ok K <pod> <uid>`, so an acknowledged key is on the volume, not in a page
// cache, and the answer names the pod (and incarnation) that took it. The name and UID
// are baked into the CGI when the container starts (hostname, and POD_UID from the
// downward API), so no CGI environment is relied on.
import { statefulWorkload, type Workload, type WorkloadOptions } from './common.ts';

/** The file on the claim the put CGI appends keys to; the traffic driver reads it back. */
export const WEB_KEYS_FILE = 'ordinal-keys';

/** The CGI, line by line; no single quotes (each line goes into printf as a quoted argument). */
function putCgi(keysFile: string): string[] {
  return [
    '#!/bin/sh',
    `f=${keysFile}`,
    'k=$(echo "$QUERY_STRING" | sed -n "s/^key=//p")',
    'case "$k" in ""|*[!A-Za-z0-9._-]*) printf "Status: 400 Bad Request\\r\\n\\r\\nbad key\\n"; exit 0;; esac',
    'if echo "$k" >> "$f" && sync -d "$f"; then printf "Content-Type: text/plain\\r\\n\\r\\nok %s %s\\n" "$k" "$me";',
    'else printf "Status: 500 Internal Server Error\\r\\n\\r\\nwrite failed\\n"; fi',
  ];
}

export function webWorkload(o: WorkloadOptions): Workload {
  const dataPath = '/usr/share/nginx/html';
  const cgi = `${dataPath}/cgi-bin/put`;
  const [shebang, ...body] = putCgi(`${dataPath}/${WEB_KEYS_FILE}`).map((l) => `'${l}'`);
  // The one double-quoted line: expanded when the container starts, so the CGI holds this pod's name and UID.
  const me = `"me='$(hostname) $POD_UID'"`;
  const writeCgi = `mkdir -p ${dataPath}/cgi-bin && printf "%s\\n" ${[shebang, me, ...body].join(' ')} > ${cgi} && chmod 755 ${cgi};`;
  return statefulWorkload(o, 'web', {
    name: 'web',
    service: 'nginx',
    claim: 'www',
    port: { name: 'web', number: 80 },
    dataPath,
    script: `hostname > ${dataPath}/index.html; ${writeCgi} httpd -f -p 80 -h ${dataPath} & wait`,
    readinessProbe: { httpGet: { path: '/index.html', port: 80 }, periodSeconds: 1, failureThreshold: 1 },
  });
}
