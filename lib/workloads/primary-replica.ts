// Topology state: the lowest ordinal (0 unless --start-ordinal) is the primary and serves its data; every other ordinal
// finds it by its stable DNS name, copies the data, and only then becomes Ready.
// Killing the primary must not change the name the replicas use to find it.
//
// Generations are recorded, not assumed: the primary serves a second file with its own
// pod UID and IP (downward API), rewritten at every start; a replica discards its old
// copy at start (so a replica that cannot reach the primary holds nothing and is never
// Ready), fetches identity, data, identity again (the same primary must serve both
// reads) and keeps that identity next to the copy as `served-by`.
import { statefulWorkload, type Workload, type WorkloadOptions } from './common.ts';

export const PRIMARY_DATA = 'primary-data';
export const PRIMARY_ID = 'primary-id';
export const REPLICA_COPY = 'replica-copy';
export const SERVED_BY = 'served-by';

export function primaryReplicaWorkload(o: WorkloadOptions): Workload {
  const d = '/data';
  // The primary is the lowest ordinal: 0, or spec.ordinals.start (--start-ordinal).
  const first = o.sts?.startOrdinal ?? 0;
  const primary = `db-${first}.db.${o.namespace}.svc.cluster.local`;
  // The primary keeps the data it made on first start (the claim outlives the pod).
  const script = [
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell parameter expansion, not a JS template
    'ord=${HOSTNAME##*-};',
    `if [ "$ord" = ${first} ]; then`,
    `  [ -s ${d}/${PRIMARY_DATA} ] || { head -c 32 /dev/urandom | od -An -tx1 | tr -d " \\n" > ${d}/${PRIMARY_DATA}.tmp && sync && mv ${d}/${PRIMARY_DATA}.tmp ${d}/${PRIMARY_DATA}; };`,
    `  printf "%s %s" "$POD_UID" "$POD_IP" > ${d}/${PRIMARY_ID}.tmp && mv ${d}/${PRIMARY_ID}.tmp ${d}/${PRIMARY_ID};`,
    'else',
    `  rm -f ${d}/${REPLICA_COPY} ${d}/${SERVED_BY} ${d}/*.tmp; sync;`,
    // Resolve with nslookup (busybox's own resolver) rather than inside wget: static
    // glibc busybox builds cannot resolve names through NSS, and their `wget -T`
    // crashes, hence `timeout`. The name is what counts: it is looked up every try.
    `  get() { timeout 5 wget -q -O "$2" "http://$1/$3"; };`,
    `  until ip=$(nslookup ${primary} 2>/dev/null | awk '/^Name:/ {n=1} n && /^Address/ {print $2; exit}') && [ -n "$ip" ] &&`,
    `    get "$ip" ${d}/${SERVED_BY}.tmp ${PRIMARY_ID} && get "$ip" ${d}/${REPLICA_COPY}.tmp ${PRIMARY_DATA} &&`,
    `    get "$ip" ${d}/${SERVED_BY}.tmp2 ${PRIMARY_ID} && cmp -s ${d}/${SERVED_BY}.tmp ${d}/${SERVED_BY}.tmp2; do echo "waiting for primary ${primary}"; sleep 1; done;`,
    `  mv ${d}/${REPLICA_COPY}.tmp ${d}/${REPLICA_COPY}; mv ${d}/${SERVED_BY}.tmp ${d}/${SERVED_BY}; rm -f ${d}/${SERVED_BY}.tmp2; sync;`,
    'fi;',
    `touch /tmp/ready; httpd -f -p 80 -h ${d} & wait`,
  ].join(' ');
  return {
    ...statefulWorkload(o, 'primary-replica', {
      name: 'db',
      service: 'db',
      claim: 'data',
      port: { name: 'http', number: 80 },
      dataPath: d,
      script,
      readinessProbe: { exec: { command: ['test', '-f', '/tmp/ready'] }, periodSeconds: 1, failureThreshold: 1 },
      fieldEnv: { POD_UID: 'metadata.uid', POD_IP: 'status.podIP' },
    }),
    topology: {
      primaryPath: `${d}/${PRIMARY_DATA}`,
      copyPath: `${d}/${REPLICA_COPY}`,
      primaryIdPath: `${d}/${PRIMARY_ID}`,
      servedByPath: `${d}/${SERVED_BY}`,
    },
  };
}
