// How traffic talks to one kind of workload: how a client pod writes one key to a pod
// (a shell snippet, so the write goes through the cluster DNS name as an application's
// would) and how the harness reads every key back afterwards. A workload without a
// driver runs without traffic (STS-WRITES-DURABLE skipped, with the reason).
import type { ExecFn } from '../probes/exec.ts';
import type { WorkloadInfo } from '../model.ts';
import type { Workload } from '../workloads/common.ts';
import { WEB_KEYS_FILE } from '../workloads/web.ts';
import type { ReadBack } from './records.ts';
import { TIMEOUTS } from '../timeouts.ts';

export interface TrafficDriver {
  name: string;
  /** The image the client pod runs (needs sh, nslookup, timeout and whatever writeSnippet calls). */
  clientImage(sampleImage: string): string;
  /**
   * Shell commands that write "$k" to the pod named "$fqdn" and exit 0 only when the
   * application acknowledged it, printing what the answer named (`by=<pod> uid=<uid>`,
   * `member=<id>`, `ip=<DNS answer>`); anything it prints on failure becomes the write's detail.
   */
  writeSnippet(w: WorkloadInfo): string;
  /** True when a failure's detail shows the write never took effect; otherwise its outcome is unknown. */
  definiteFailure(detail: string): boolean;
  /** etcd: member ID (hex) → pod name, so acknowledgements that name a member name a pod. */
  members?(exec: ExecFn, container: string, pods: readonly string[]): Promise<Record<string, string>>;
  /** Where a write to `pod` must be found afterwards (the pod's volume, or the whole cluster). */
  store(pod: string): string;
  /** Every key starting with `prefix` each member of each store holds, one ReadBack per pod (never throws: a failed read is a ReadBack with error). */
  readBack(exec: ExecFn, w: WorkloadInfo, container: string, pods: readonly string[], prefix: string): Promise<ReadBack[]>;
}

/** Failures before the request reached the CGI, or the CGI rejecting the key: the key cannot have landed. */
const WEB_REFUSED = /no DNS answer|connection refused|no route to host|HTTP\/1\.[01] 400/i;
/** Failures before the put reached a member. Anything else (a deadline, no leader) may have committed. */
const ETCD_REFUSED = /connection refused|no such host|no route to host/i;
/** A serializable read of each member, repeated while the members disagree (a follower catching up). */
const MEMBER_READS = 5;

/**
 * `web`: busybox httpd's CGI at /cgi-bin/put appends the key to a file on the pod's
 * volume and fsyncs it before answering 200 `ok <key> <pod> <uid>` (lib/workloads/web.ts).
 * Static busybox cannot resolve names inside wget, so the name is resolved with nslookup
 * on every write, as the primary-replica sample does, and the address used is recorded.
 * Each step is bounded by 1 s, so an unreachable pod shows as unavailable within a second
 * (a slower answer has an unknown outcome: the key may have landed).
 */
export function webDriver(dataPath: string): TrafficDriver {
  return {
    name: 'web',
    clientImage: (image) => image,
    writeSnippet: () =>
      [
        `ip=$(timeout 1 nslookup "$fqdn" 2>/dev/null | awk '/^Name:/ {n=1} n && /^Address/ {print $2; exit}');`,
        'if [ -z "$ip" ]; then echo "no DNS answer for $fqdn"; false;',
        `else out=$(timeout 1 wget -q -O- "http://$ip:80/cgi-bin/put?key=$k" 2>&1); rc=$?; set -f; set -- $out;`,
        'if [ "$1 $2" = "ok $k" ]; then echo "ip=$ip by=$3 uid=$4"; else echo "$out (exit $rc, address $ip)"; false; fi; fi',
      ].join(' '),
    definiteFailure: (d) => WEB_REFUSED.test(d),
    store: (pod) => pod,
    readBack: (exec, _w, container, pods) =>
      Promise.all(
        pods.map(async (pod): Promise<ReadBack> => {
          const file = `${dataPath}/${WEB_KEYS_FILE}`;
          try {
            // No file yet is an empty store (nothing was acknowledged there), not a failed read.
            const r = await exec(pod, container, ['sh', '-c', `test ! -e ${file} || cat ${file}`]);
            if (r.exitCode !== 0) return { store: pod, pod, error: `reading ${file} exited ${r.exitCode}: ${r.stderr.trim()}` };
            return {
              store: pod,
              pod,
              keys: r.stdout
                .split('\n')
                .map((l) => l.trim())
                .filter((l) => l !== ''),
            };
          } catch (err) {
            return { store: pod, pod, error: err instanceof Error ? err.message : String(err), unobserved: true };
          }
        }),
      ),
  };
}

const CTL = 'etcdctl --dial-timeout=1s --command-timeout=1s';

const lines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');

/** etcdctl against the member in the pod it runs in (the read-back asks each member itself, never through the Service). */
const localEtcdctl = (clientPort: number): string[] => [
  'etcdctl',
  '--dial-timeout=3s',
  '--command-timeout=10s',
  `--endpoints=http://127.0.0.1:${clientPort}`,
];

/** One member's keys, from its own store (serializable: no quorum round, what that member holds). */
async function readMember(exec: ExecFn, container: string, pod: string, clientPort: number, prefix: string): Promise<ReadBack> {
  try {
    const r = await exec(pod, container, [...localEtcdctl(clientPort), 'get', '--prefix', '--keys-only', '--consistency=s', prefix]);
    if (r.exitCode === 0) return { store: 'etcd', pod, keys: lines(r.stdout) };
    return { store: 'etcd', pod, error: `a serializable get exited ${r.exitCode}: ${r.stderr.trim().slice(0, 160)}` };
  } catch (err) {
    return { store: 'etcd', pod, error: err instanceof Error ? err.message : String(err), unobserved: true };
  }
}

/** True when every member was read and all hold the same keys. */
export function membersAgree(reads: readonly ReadBack[]): boolean {
  const sets = reads.map((r) => (r.keys === undefined || r.error !== undefined ? undefined : [...new Set(r.keys)].sort().join('\n')));
  return sets.every((k) => k !== undefined && k === sets[0]);
}

/** Parses `etcdctl member list` (simple output: `<hex id>, <status>, <name>, …`) into hex ID → name. */
export function parseMemberList(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of lines(text)) {
    const [id, , name] = line.split(',').map((f) => f.trim());
    if (id && /^[0-9a-f]+$/i.test(id) && name) out[id.toLowerCase().replace(/^0+(?=.)/, '')] = name;
  }
  return out;
}

/**
 * `etcd`: a put through the client port of the member named "$fqdn" (etcdctl resolves
 * the name itself; Go's resolver reads /etc/resolv.conf, so the address used is not known).
 * The response header names the member that served it (`-w json`, `member_id`), mapped to
 * its pod through `member list` at read-back. A put is acknowledged only once the cluster
 * committed it, so every acknowledged key must be in the cluster afterwards, whichever
 * member took it: one store, `etcd`, read from every member with a serializable get, again
 * while the members disagree (a follower catching up), up to MEMBER_READS times.
 */
export function etcdDriver(clientPort: number, pauseMs: number = TIMEOUTS.trafficMemberReadPause): TrafficDriver {
  return {
    name: 'etcd',
    clientImage: (image) => image,
    writeSnippet: () =>
      [
        `out=$(timeout 3 ${CTL} --endpoints "http://$fqdn:${clientPort}" -w json put "$k" 1 2>&1); rc=$?;`,
        `case "$rc $out" in "0 "*'"member_id":'*) m=\${out#*'"member_id":'}; echo "member=\${m%%[!0-9]*}";; *) echo "$out (exit $rc)"; false;; esac`,
      ].join(' '),
    definiteFailure: (d) => ETCD_REFUSED.test(d),
    store: () => 'etcd',
    async members(exec, container, pods) {
      for (const pod of pods) {
        try {
          const r = await exec(pod, container, [...localEtcdctl(clientPort), 'member', 'list']);
          if (r.exitCode === 0) return parseMemberList(r.stdout);
        } catch {
          // The next member may answer; with none, acknowledgements name a member ID only.
        }
      }
      return {};
    },
    async readBack(exec, _w, container, pods, prefix) {
      let reads: ReadBack[] = [];
      for (let attempt = 1; attempt <= MEMBER_READS; attempt++) {
        reads = await Promise.all(pods.map((pod) => readMember(exec, container, pod, clientPort, prefix)));
        if (membersAgree(reads)) break;
        if (attempt < MEMBER_READS) await new Promise((r) => setTimeout(r, pauseMs));
      }
      return reads;
    },
  };
}

/** The driver for a workload, or undefined (no traffic for it). */
export function trafficDriverFor(w: Workload): TrafficDriver | undefined {
  if (w.info.kind === 'web') return webDriver(w.dataPath);
  if (w.info.kind === 'etcd' && w.etcd) return etcdDriver(w.etcd.clientPort);
  return undefined;
}
