// How traffic talks to one kind of workload: how a client pod writes one key to a pod
// (a shell snippet, so the write goes through the cluster DNS name as an application's
// would) and how the harness reads every key back afterwards. A workload without a
// driver runs without traffic (STS-WRITES-DURABLE skipped, with the reason).
import type { ExecFn } from '../probes/exec.ts';
import type { WorkloadInfo } from '../model.ts';
import type { Workload } from '../workloads/common.ts';
import { WEB_KEYS_FILE } from '../workloads/web.ts';
import type { ReadBack } from './records.ts';

export interface TrafficDriver {
  name: string;
  /** The image the client pod runs (needs sh, nslookup, timeout and whatever writeSnippet calls). */
  clientImage(sampleImage: string): string;
  /**
   * Shell commands that write "$k" to the pod named "$fqdn" and exit 0 only when the
   * application acknowledged it; anything it prints on failure becomes the write's detail.
   */
  writeSnippet(w: WorkloadInfo): string;
  /** Where a write to `pod` must be found afterwards (the pod's volume, or the whole cluster). */
  store(pod: string): string;
  /** Every key starting with `prefix` each store holds, read through `pods` (never throws: a failed read is a ReadBack with error). */
  readBack(exec: ExecFn, w: WorkloadInfo, container: string, pods: readonly string[], prefix: string): Promise<ReadBack[]>;
}

/**
 * `web`: busybox httpd's CGI at /cgi-bin/put appends the key to a file on the pod's
 * volume and fsyncs it before answering 200 `ok <key>` (lib/workloads/web.ts). Static
 * busybox cannot resolve names inside wget, so the name is resolved with nslookup on
 * every write, as the primary-replica sample does. Each step is bounded by 1 s, so an
 * unreachable pod shows as unavailable within a second (a slower ack counts as failed, and
 * its key, if it landed, as indeterminate).
 */
export function webDriver(dataPath: string): TrafficDriver {
  return {
    name: 'web',
    clientImage: (image) => image,
    writeSnippet: () => [
      `ip=$(timeout 1 nslookup "$fqdn" 2>/dev/null | awk '/^Name:/ {n=1} n && /^Address/ {print $2; exit}');`,
      'if [ -z "$ip" ]; then echo "no DNS answer for $fqdn"; false;',
      `else out=$(timeout 1 wget -q -O- "http://$ip:80/cgi-bin/put?key=$k" 2>&1); [ "$out" = "ok $k" ] || { echo "$out"; false; }; fi`,
    ].join(' '),
    store: (pod) => pod,
    readBack: (exec, _w, container, pods) =>
      Promise.all(pods.map(async (pod): Promise<ReadBack> => {
        const file = `${dataPath}/${WEB_KEYS_FILE}`;
        try {
          // No file yet is an empty store (nothing was acknowledged there), not a failed read.
          const r = await exec(pod, container, ['sh', '-c', `test ! -e ${file} || cat ${file}`]);
          if (r.exitCode !== 0) return { store: pod, pod, error: `reading ${file} exited ${r.exitCode}: ${r.stderr.trim()}` };
          return { store: pod, pod, keys: r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '') };
        } catch (err) {
          return { store: pod, pod, error: err instanceof Error ? err.message : String(err), unobserved: true };
        }
      })),
  };
}

const CTL = 'etcdctl --dial-timeout=1s --command-timeout=1s';

/**
 * `etcd`: a put through the client port of the member named "$fqdn" (etcdctl resolves
 * the name itself; Go's resolver reads /etc/resolv.conf). A put is acknowledged only once
 * the cluster committed it, so every acknowledged key must be in the cluster afterwards,
 * whichever member took it: one store, `etcd`, read back with a linearizable get.
 */
export function etcdDriver(clientPort: number): TrafficDriver {
  return {
    name: 'etcd',
    clientImage: (image) => image,
    writeSnippet: () => `out=$(timeout 3 ${CTL} --endpoints "http://$fqdn:${clientPort}" put "$k" 1 2>&1); [ "$out" = OK ] || { echo "$out"; false; }`,
    store: () => 'etcd',
    async readBack(exec, _w, container, pods, prefix) {
      const tried: string[] = [];
      for (const pod of pods) {
        try {
          const r = await exec(pod, container, ['etcdctl', '--dial-timeout=3s', '--command-timeout=10s', `--endpoints=http://127.0.0.1:${clientPort}`, 'get', '--prefix', '--keys-only', prefix]);
          if (r.exitCode === 0) return [{ store: 'etcd', pod, keys: r.stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '') }];
          tried.push(`${pod}: exited ${r.exitCode}: ${r.stderr.trim().slice(0, 160)}`);
        } catch (err) {
          tried.push(`${pod}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return [{ store: 'etcd', pod: pods.join(','), error: `no member answered a linearizable get (${tried.join('; ') || 'no pods'})`, unobserved: true }];
    },
  };
}

/** The driver for a workload, or undefined (no traffic for it). */
export function trafficDriverFor(w: Workload): TrafficDriver | undefined {
  if (w.info.kind === 'web') return webDriver(w.dataPath);
  if (w.info.kind === 'etcd' && w.etcd) return etcdDriver(w.etcd.clientPort);
  return undefined;
}
