// What a user's image lets the probes do, learned once from the first pod before the
// baseline: a shell, the tools the in-pod probes call, a writable sentinel directory,
// and the pod's resolv.conf, whose search line names the cluster domain. A probe that
// cannot run in the image is skipped with the reason (never a failed check).
import { describeError } from '../errors.ts';
import type { Workload } from '../workloads/common.ts';
import { SENTINEL_FILE } from '../workloads/common.ts';
import type { ExecFn } from './exec.ts';

// Only shell built-ins until the `has` lines: the image may have nothing else.
const SCRIPT = [
  'while IFS= read -r l; do echo "resolv $l"; done < /etc/resolv.conf;',
  'for c in hostname nslookup sync mv cat rm; do command -v "$c" >/dev/null 2>&1 && echo "has $c"; done;',
  '[ -n "$1" ] && [ -d "$1" ] && [ -w "$1" ] && echo writable; true',
].join(' ');

export interface ImageFacts {
  /** Why there is no usable shell (exec of sh failed), or undefined. */
  noShell?: string;
  tools: Set<string>;
  writable: boolean;
  resolvConf: string[];
}

// What a container runtime says when the binary is not in the image.
const NOT_FOUND = /executable file not found|no such file or directory/i;

export async function probeImage(exec: ExecFn, pod: string, container: string, dataPath: string): Promise<ImageFacts> {
  const facts: ImageFacts = { tools: new Set(), writable: false, resolvConf: [] };
  try {
    const r = await exec(pod, container, ['sh', '-c', SCRIPT, 'ordinal-probe', dataPath]);
    for (const line of r.stdout.split('\n')) {
      if (line.startsWith('resolv ')) facts.resolvConf.push(line.slice(7));
      else if (line.startsWith('has ')) facts.tools.add(line.slice(4).trim());
      else if (line.trim() === 'writable') facts.writable = true;
    }
  } catch (err) {
    const why = describeError(err);
    if (!NOT_FOUND.test(why)) throw err;
    facts.noShell = `container ${container} has no sh (${why.slice(0, 160)})`;
  }
  return facts;
}

/** `search <ns>.svc.<domain> svc.<domain> <domain>`: the domain after `<ns>.svc.`. */
export function clusterDomainFrom(resolvConf: readonly string[], namespace: string): string | undefined {
  for (const line of resolvConf) {
    const words = line.trim().split(/\s+/);
    if (words[0] !== 'search') continue;
    const prefix = `${namespace}.svc.`;
    const hit = words.slice(1).find((w) => w.startsWith(prefix) && w.length > prefix.length);
    if (hit) return hit.slice(prefix.length).replace(/\.$/, '');
  }
  return undefined;
}

/** Sets the workload's skip reasons from what the image offers; returns one line for the log. */
export function adaptToImage(w: Workload, f: ImageFacts): string {
  const missing = (names: string[]): string[] => names.filter((n) => !f.tools.has(n));
  if (f.noShell) {
    w.inPodSkip = `${f.noShell}: the hostname and DNS probes inside the pods do not run`;
    w.sentinelSkip ??= `${f.noShell}: the sentinel needs a shell`;
  } else {
    const inPod = missing(['hostname', 'nslookup']);
    if (inPod.length > 0) w.inPodSkip = `the image has no ${inPod.join(', ')}: the hostname and DNS probes inside the pods do not run`;
    const sentinel = missing(['sync', 'mv', 'cat', 'rm']);
    if (sentinel.length > 0) w.sentinelSkip ??= `the image has no ${sentinel.join(', ')}: the sentinel cannot be written durably`;
    else if (!f.writable && !w.sentinelSkip)
      w.sentinelSkip = `${w.dataPath} is not a writable directory in container ${w.container} (read-only mount?)`;
  }
  const off = [w.inPodSkip, w.sentinelSkip].filter(Boolean);
  return off.length > 0
    ? `probes adapted to the image: ${off.join('; ')}`
    : `probes: in-pod hostname and DNS, sentinel at ${w.dataPath}/${SENTINEL_FILE}`;
}

/** Removes the sentinel a --target run wrote, so the user's volumes are left as found. */
export async function removeSentinel(exec: ExecFn, pod: string, w: Workload): Promise<string | undefined> {
  try {
    const r = await exec(pod, w.container, ['rm', '-f', `${w.dataPath}/${SENTINEL_FILE}`, `${w.dataPath}/${SENTINEL_FILE}.tmp`]);
    return r.exitCode === 0 ? undefined : `rm exited ${r.exitCode}: ${r.stderr.trim()}`;
  } catch (err) {
    return describeError(err);
  }
}
