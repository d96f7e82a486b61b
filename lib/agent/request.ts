// A fault request: the ConfigMap the harness writes in a run's namespace and the node agent
// (`ordinal agent`, examples/agent.yaml) acts on. The harness never execs into the agent;
// the two speak only through this object. The harness owns `spec` and renews `expires`
// (a dead man's switch: a harness that stops renewing loses its fault within the expiry);
// the agent owns `status`. Pure: no cluster, no node.
import { isNetFaultKind, type NetFaultKind, parseNetFaultSpec } from './net-fault-spec.ts';

/**
 * The label that marks a ConfigMap as a fault request (the agent lists by it).
 * ORDINAL_FAULT_LABEL, set alike for a harness and an agent, lets an agent under
 * development run beside the installed one without either acting on the other's requests.
 */
export const FAULT_LABEL = process.env.ORDINAL_FAULT_LABEL || 'ordinal.dev/fault-request';
/** Where the agent DaemonSet runs; the harness reads its status there before a run. */
export const AGENT_NAMESPACE = 'ordinal-system';
export const AGENT_NAME = 'ordinal-agent';

/**
 * The harness's one request name: partitions go one at a time, and a fixed name lets
 * examples/rbac.yaml grant get, patch and delete on it alone. The agent tells a recreated
 * request from the one before by its UID.
 */
export const FAULT_REQUEST_NAME = 'ordinal-fault';

export type FaultKind = 'partition' | NetFaultKind;

/** What the harness asks for. */
export interface FaultSpec {
  fault: FaultKind;
  /** The pod whose network namespace takes the rules, and the UID it must still have. */
  pod: string;
  podUid: string;
  /** partition: the peer IPs cut in both directions. */
  peers: string[];
  /** Wall ms: past it, the agent heals without being asked. */
  expires: number;
  /** Set by the harness to heal now. */
  heal: boolean;
  /** loss: the percentage of packets dropped to and from each peer (lib/agent/loss.ts). */
  percent?: number;
  /** bandwidth: the rate of the pod's egress, in kbit/s (lib/agent/bandwidth.ts). */
  rateKbit?: number;
}

export type FaultPhase = 'applied' | 'healed' | 'refused';

/** What the agent did, written back into the request. */
export interface FaultStatus {
  phase: FaultPhase;
  node: string;
  /** Wall ms. */
  appliedAt?: number;
  healedAt?: number;
  /** Why it healed: asked, expired, the request deleted, the agent restarted. */
  healedBecause?: string;
  /** One line of what the agent saw (the rules it added, the pod's pid, or why it refused). */
  seen: string;
}

/** ConfigMap data of a request: one key per field, JSON where it is a list. */
export function specData(s: FaultSpec): Record<string, string> {
  return {
    fault: s.fault,
    pod: s.pod,
    podUid: s.podUid,
    peers: JSON.stringify(s.peers),
    expires: String(s.expires),
    heal: String(s.heal),
    ...(s.percent !== undefined ? { percent: String(s.percent) } : {}),
    ...(s.rateKbit !== undefined ? { rateKbit: String(s.rateKbit) } : {}),
  };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIpv4 = (s: unknown): s is string => typeof s === 'string' && IPV4.test(s) && s.split('.').every((o) => Number(o) <= 255);

/** The request's spec, or why it is not one (the agent reports that and does nothing). */
export function parseSpec(data: Readonly<Record<string, string>> | undefined): FaultSpec | string {
  const d = data ?? {};
  if (isNetFaultKind(d.fault)) return parseNetFaultSpec(d);
  if (d.fault !== 'partition') return `unknown fault "${d.fault ?? ''}" (known: partition, loss, bandwidth)`;
  if (!d.pod || !d.podUid) return 'no pod or podUid';
  let peers: unknown;
  try {
    peers = JSON.parse(d.peers ?? '');
  } catch {
    return `peers is not a JSON list: ${d.peers ?? '(none)'}`;
  }
  // Only literal IPv4 addresses reach iptables: nothing the request holds becomes an option.
  if (!Array.isArray(peers) || peers.length === 0 || !peers.every(isIpv4))
    return `peers must be a non-empty list of IPv4 addresses, got ${d.peers}`;
  const expires = Number(d.expires);
  if (!Number.isFinite(expires) || expires <= 0) return `expires is not a wall-clock ms time: ${d.expires ?? '(none)'}`;
  return { fault: 'partition', pod: d.pod, podUid: d.podUid, peers: peers as string[], expires, heal: d.heal === 'true' };
}

export function parseStatus(text: string | undefined): FaultStatus | undefined {
  if (!text) return undefined;
  try {
    const s = JSON.parse(text) as FaultStatus;
    return typeof s.phase === 'string' ? s : undefined;
  } catch {
    return undefined;
  }
}

/** What the agent must do about one request it holds or sees. */
export type Decision = 'apply' | 'heal' | 'keep' | 'none';

/**
 * `applied`: whether the agent holds this request's rules now. A request past its expiry
 * or asked to heal is healed and never applied again (a renewal after an expiry does not
 * bring a fault back: the harness sees `healed` and fails the round).
 */
export function decide(spec: FaultSpec, status: FaultStatus | undefined, applied: boolean, now: number): Decision {
  const over = spec.heal || now >= spec.expires || status?.phase === 'healed' || status?.phase === 'refused';
  if (applied) return over ? 'heal' : 'keep';
  return over ? 'none' : 'apply';
}

/** The chain the agent owns inside a pod's network namespace. */
export const CHAIN = 'ORDINAL-PARTITION';

/** iptables argument lists (after `iptables -w`) that cut `peers` in both directions. */
export function partitionRules(peers: readonly string[]): string[][] {
  return [
    ['-N', CHAIN],
    ...peers.flatMap((ip) => [
      ['-A', CHAIN, '-s', ip, '-j', 'DROP'],
      ['-A', CHAIN, '-d', ip, '-j', 'DROP'],
    ]),
    ['-I', 'INPUT', '1', '-j', CHAIN],
    ['-I', 'OUTPUT', '1', '-j', CHAIN],
  ];
}

/** iptables argument lists that remove the chain; each may fail when already gone (healing is idempotent). */
export function healRules(): string[][] {
  return [
    ['-D', 'INPUT', '-j', CHAIN],
    ['-D', 'OUTPUT', '-j', CHAIN],
    ['-F', CHAIN],
    ['-X', CHAIN],
  ];
}

/** The pod UID as it appears in a cgroup path (cgroupfs: dashes; systemd driver: underscores). */
export function cgroupMatches(cgroupFile: string, podUid: string): boolean {
  const forms = [podUid, podUid.replaceAll('-', '_')];
  return cgroupFile.split('\n').some((line) => forms.some((f) => line.includes(`pod${f}`)));
}
