// etcd's own view of its membership and health, asked with etcdctl inside a member's
// container: the member list (IDs, names, peer URLs) and, for every member's client URL,
// health and status (who it says the leader is). The first pod whose etcdctl answers
// speaks for the cluster; members it cannot reach are reported unhealthy, which is the
// cluster's answer. Only when no pod's etcdctl answers is the membership unobserved.
import { describeError } from '../errors.ts';
import type { EtcdEndpoint, EtcdMember, MembershipSnapshot } from './records.ts';
import type { ExecFn } from './exec.ts';
import { TIMEOUTS } from '../timeouts.ts';

const CTL = ['etcdctl', '--dial-timeout=2s', '--command-timeout=4s'];

/**
 * etcd prints its 64-bit IDs as JSON numbers, which lose precision as JS numbers: quote
 * them (decimal strings) before parsing.
 */
export function parseEtcdJson(text: string): unknown {
  return JSON.parse(text.replace(/"(ID|cluster_id|member_id|leader)":\s*(\d+)/g, '"$1":"$2"'));
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' ? (v as Record<string, unknown>) : {});

export function parseMemberList(text: string): EtcdMember[] {
  const members = rec(parseEtcdJson(text)).members;
  if (!Array.isArray(members)) throw new Error(`no "members" in ${JSON.stringify(text.slice(0, 120))}`);
  return members.map((m) => {
    const r = rec(m);
    return { id: str(r.ID), name: str(r.name), peerURLs: strs(r.peerURLs), clientURLs: strs(r.clientURLs) };
  });
}

/** `endpoint health --cluster -w json` and `endpoint status --cluster -w json`, merged per endpoint. */
export function parseEndpoints(healthText: string, statusText: string): EtcdEndpoint[] {
  const out = new Map<string, EtcdEndpoint>();
  const health = healthText.trim() ? parseEtcdJson(healthText) : [];
  for (const h of Array.isArray(health) ? health : []) {
    const r = rec(h);
    const e: EtcdEndpoint = { endpoint: str(r.endpoint), healthy: r.health === true };
    if (str(r.error)) e.error = str(r.error);
    out.set(e.endpoint, e);
  }
  const status = statusText.trim() ? parseEtcdJson(statusText) : [];
  for (const s of Array.isArray(status) ? status : []) {
    const r = rec(s);
    const st = rec(r.Status);
    const endpoint = str(r.Endpoint);
    const e = out.get(endpoint) ?? { endpoint, healthy: false, error: 'no health answer' };
    e.memberId = str(rec(st.header).member_id);
    e.leader = str(st.leader);
    out.set(endpoint, e);
  }
  return [...out.values()];
}

/**
 * Whether an observation shows every listed member healthy under one leader, each at a
 * client URL the member list gives. A member that has just joined is listed without client
 * URLs until its own publish commits, while `endpoint health --cluster` (which lists the
 * members again a moment later) may already have reached it: not settled yet, ask again.
 */
export function settled(m: MembershipSnapshot): boolean {
  if (m.unobserved || m.error || m.members.length === 0) return false;
  const leaders = new Set(m.endpoints.map((e) => e.leader));
  const reached = m.members.every((x) => m.endpoints.some((e) => x.clientURLs.includes(e.endpoint)));
  return reached && m.endpoints.length === m.members.length && m.endpoints.every((e) => e.healthy && e.leader) && leaders.size === 1;
}

/** One observation: asks each pod in turn until one's etcdctl answers the member list. */
export async function readMembership(exec: ExecFn, pods: readonly string[], container: string, port: number): Promise<MembershipSnapshot> {
  const at = [`--endpoints=http://127.0.0.1:${port}`];
  const tried: string[] = [];
  for (const pod of pods) {
    let list: Awaited<ReturnType<ExecFn>>;
    try {
      list = await exec(pod, container, [...CTL, ...at, 'member', 'list', '-w', 'json']);
    } catch (err) {
      tried.push(`${pod}: ${describeError(err)}`);
      continue;
    }
    if (list.exitCode !== 0) {
      tried.push(`${pod}: etcdctl member list exited ${list.exitCode}: ${list.stderr.trim().slice(0, 200)}`);
      continue;
    }
    try {
      const members = parseMemberList(list.stdout);
      // Non-zero exits here mean "some endpoint is unhealthy": the JSON still lists every endpoint.
      const health = await exec(pod, container, [...CTL, ...at, 'endpoint', 'health', '--cluster', '-w', 'json']);
      const status = await exec(pod, container, [...CTL, ...at, 'endpoint', 'status', '--cluster', '-w', 'json']);
      return { askedPod: pod, members, endpoints: parseEndpoints(health.stdout, status.stdout) };
    } catch (err) {
      tried.push(`${pod}: ${describeError(err)}`);
    }
  }
  return { members: [], endpoints: [], error: `no member's etcdctl answered (${tried.join('; ') || 'no pods'})`, unobserved: true };
}

/**
 * Observes until the cluster shows every member healthy under one leader, or the budget
 * runs out (then the last observation stands, for the check to judge): a member that
 * has just restarted takes a moment to catch up.
 */
export async function settleMembership(
  read: () => Promise<MembershipSnapshot>,
  budgetMs: number,
  now: () => number = Date.now,
  pause: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<MembershipSnapshot> {
  const until = now() + budgetMs;
  let attempts = 0;
  for (;;) {
    const m = await read();
    attempts++;
    if (settled(m) || now() >= until) return { ...m, attempts };
    await pause(TIMEOUTS.nodePoll);
  }
}
