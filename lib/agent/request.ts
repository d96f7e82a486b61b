// A fault request: the ConfigMap the harness writes in a run's namespace and the node agent
// (`ordinal agent`, examples/agent.yaml) acts on. The harness never execs into the agent;
// the two speak only through this object. The harness owns `spec` and renews `expires`
// (a dead man's switch: a harness that stops renewing loses its fault within the expiry);
// the agent owns `status`. Pure: no cluster, no node.
import { type DiskProbe, parseDiskFullSpec } from './disk-request.ts';
import { isNetFaultKind, type NetFaultKind, parseNetFaultSpec } from './net-fault-spec.ts';

/**
 * The label that marks a ConfigMap as a fault request (the agent lists by it).
 * ORDINAL_FAULT_LABEL, set for both the harness and an agent, replaces it: a new agent
 * build can then be tried beside the installed one, neither seeing the other's requests.
 */
export const FAULT_LABEL = faultLabel(process.env.ORDINAL_FAULT_LABEL);

export function faultLabel(env: string | undefined): string {
  if (!env) return 'ordinal.dev/fault-request';
  if (!/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(env))
    throw new Error(`ORDINAL_FAULT_LABEL must be a label key (e.g. ordinal.dev/fault-request-test), got "${env}"`);
  return env;
}

/** Where the agent DaemonSet runs; the harness reads its status there before a run. */
export const AGENT_NAMESPACE = 'ordinal-system';
export const AGENT_NAME = 'ordinal-agent';

/**
 * The harness's one request name: partitions go one at a time, and a fixed name lets
 * examples/rbac.yaml grant get, patch and delete on it alone. The agent tells a recreated
 * request from the one before by its UID.
 */
export const FAULT_REQUEST_NAME = 'ordinal-fault';

export type FaultKind = 'partition' | 'disk-full' | NetFaultKind;

/** What the harness asks for. */
export interface FaultSpec {
  fault: FaultKind;
  /** The pod whose network namespace takes the rules, and the UID it must still have. */
  pod: string;
  podUid: string;
  /** partition: the peer IPs cut in both directions. */
  peers: string[];
  /**
   * partition, by pod name (same namespace), resolved by the agent on every tick so the
   * rules follow a peer recreated with a new IP: cut both ways, and dropped only as they
   * arrive (a one-way cut). Absent in requests that name IPs alone.
   */
  peerPods?: string[];
  inFromPods?: string[];
  /** The rules follow the pod's identity: a replacement (new UID) of a pod once cut is cut too. */
  follow?: boolean;
  /** disk-full: the volume's mount path in the pod, and the most bytes its filesystem may hold (lib/agent/disk-request.ts). */
  path?: string;
  maxBytes?: number;
  volume?: string;
  /** Wall ms: past it, the agent heals without being asked. */
  expires: number;
  /** Set by the harness to heal now. */
  heal: boolean;
  /** loss: the percentage of packets dropped to and from each peer (lib/agent/loss.ts). */
  percent?: number;
  /** bandwidth: the rate of the pod's egress, in kbit/s (lib/agent/bandwidth.ts). */
  rateKbit?: number;
}

/** `following`: the pod once cut was recreated; its replacement gets the rules once it runs. */
export type FaultPhase = 'applied' | 'healed' | 'refused' | 'following';

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
  /** The UID of the pod the rules are in (it changes when they followed a replacement). */
  podUid?: string;
  /** The IPs cut now: both ways, and only as they arrive. */
  cut?: string[];
  inFrom?: string[];
  /**
   * disk-full: the agent's own 4 KiB synced write on the volume right after the fill
   * (`applied`: it fails with ENOSPC) or the free (`healed`: it succeeds). The harness
   * confirms from inside the pod, and uses this only while the pod's container cannot be
   * entered (lib/chaos/disk-probe.ts).
   */
  probe?: DiskProbe;
  /**
   * disk-full, on `healed`: the fill file could not be reached, so the volume may still be
   * full. `retrying`: the agent tries again every tick (a replacement mounts the volume once
   * it starts) for up to TIMEOUTS.agentFreeRetry, and drops this field once it frees it;
   * `left`: it gave up. Absent once freed.
   */
  unfreed?: 'retrying' | 'left';
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
    ...(s.peerPods ? { peerPods: JSON.stringify(s.peerPods) } : {}),
    ...(s.inFromPods ? { inFromPods: JSON.stringify(s.inFromPods) } : {}),
    ...(s.follow ? { follow: 'true' } : {}),
    ...(s.path !== undefined ? { path: s.path } : {}),
    ...(s.maxBytes !== undefined ? { maxBytes: String(s.maxBytes) } : {}),
    ...(s.volume !== undefined ? { volume: s.volume } : {}),
    ...(s.percent !== undefined ? { percent: String(s.percent) } : {}),
    ...(s.rateKbit !== undefined ? { rateKbit: String(s.rateKbit) } : {}),
  };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const isIpv4 = (s: unknown): s is string => typeof s === 'string' && IPV4.test(s) && s.split('.').every((o) => Number(o) <= 255);

/** The request's spec, or why it is not one (the agent reports that and does nothing). */
export function parseSpec(data: Readonly<Record<string, string>> | undefined): FaultSpec | string {
  const d = data ?? {};
  if (d.fault === 'disk-full') return parseDiskFullSpec(d);
  if (isNetFaultKind(d.fault)) return parseNetFaultSpec(d);
  if (d.fault !== 'partition') return `unknown fault "${d.fault ?? ''}" (known: partition, disk-full, loss, bandwidth)`;
  if (!d.pod || !d.podUid) return 'no pod or podUid';
  let peers: unknown;
  try {
    peers = JSON.parse(d.peers ?? '');
  } catch {
    return `peers is not a JSON list: ${d.peers ?? '(none)'}`;
  }
  const peerPods = podNames(d.peerPods, 'peerPods');
  const inFromPods = podNames(d.inFromPods, 'inFromPods');
  if (typeof peerPods === 'string') return peerPods;
  if (typeof inFromPods === 'string') return inFromPods;
  const named = (peerPods?.length ?? 0) + (inFromPods?.length ?? 0) > 0;
  // Only literal IPv4 addresses reach iptables: nothing the request holds becomes an option.
  if (!Array.isArray(peers) || (peers.length === 0 && !named) || !peers.every(isIpv4))
    return `peers must be a list of IPv4 addresses, non-empty unless peerPods or inFromPods name pods, got ${d.peers}`;
  const expires = Number(d.expires);
  if (!Number.isFinite(expires) || expires <= 0) return `expires is not a wall-clock ms time: ${d.expires ?? '(none)'}`;
  return {
    fault: 'partition',
    pod: d.pod,
    podUid: d.podUid,
    peers: peers as string[],
    expires,
    heal: d.heal === 'true',
    ...(peerPods ? { peerPods } : {}),
    ...(inFromPods ? { inFromPods } : {}),
    ...(d.follow === 'true' ? { follow: true } : {}),
  };
}

/** A pod name as Kubernetes allows it (a DNS-1123 subdomain): the agent reads pods by these names, nothing more. */
const POD_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

function podNames(text: string | undefined, field: string): string[] | undefined | string {
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return `${field} is not a JSON list: ${text}`;
  }
  if (!Array.isArray(v) || !v.every((n) => typeof n === 'string' && POD_NAME.test(n)))
    return `${field} must be a list of pod names, got ${text}`;
  return v as string[];
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
  // A `following` request is applied again, to the replacement, by whichever agent runs it.
  if (applied) return over ? 'heal' : 'keep';
  return over ? 'none' : 'apply';
}

/** The chain the agent owns inside a pod's network namespace. */
export const CHAIN = 'ORDINAL-PARTITION';

/** iptables argument lists (after `iptables -w`) that cut `peers` in both directions and drop what arrives from `inFrom`. */
export function partitionRules(peers: readonly string[], inFrom: readonly string[] = []): string[][] {
  return [['-N', CHAIN], ...cutRules('-A', peers, inFrom), ['-I', 'INPUT', '1', '-j', CHAIN], ['-I', 'OUTPUT', '1', '-j', CHAIN]];
}

/** The rules of the chain itself, added (`-A`) or deleted (`-D`): how a cut follows a peer's new IP without a moment uncut. */
export function cutRules(op: '-A' | '-D', peers: readonly string[], inFrom: readonly string[] = []): string[][] {
  return [
    ...peers.flatMap((ip) => [
      [op, CHAIN, '-s', ip, '-j', 'DROP'],
      [op, CHAIN, '-d', ip, '-j', 'DROP'],
    ]),
    ...inFrom.map((ip) => [op, CHAIN, '-s', ip, '-j', 'DROP']),
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
