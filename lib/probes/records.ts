// What the probes record in a snapshot before and after chaos: plain JSON the checks read,
// so fixtures stay plain JSON too.
import type { ReplicationProbe } from './postgres-records.ts';
/** Per-ordinal facts captured before and after chaos. */
export interface PodSnapshot {
  name: string;
  ordinal: number;
  uid: string;
  ip: string;
  hostname: string;
  subdomain: string;
  /** `hostname` as printed inside the container (exec), the pod's own view. */
  hostnameInPod?: string;
  /** Why `hostname` could not be run in the pod (exec failed or exited non-zero): unobserved. */
  hostnameError?: string;
  node: string;
  ready: boolean;
  /** claim template name (e.g. "www") -> the claim the pod actually mounts. */
  claims: Record<string, ClaimBinding>;
}

export interface ClaimBinding {
  claimName: string;
  pvcUid: string;
  pvName: string;
  pvUid: string;
  /** The PVC's status.phase (Bound, Pending, Lost); '' when the PVC was not seen. */
  pvcPhase?: string;
  /** The PV's spec.claimRef.uid: the claim the volume says it belongs to. */
  pvClaimUid?: string;
}

export interface DnsAnswer {
  /** ms since run start. */
  t: number;
  /**
   * NOERROR | NXDOMAIN | SERVFAIL | ... are answers. TIMEOUT (no answer in time) and
   * TRANSPORT (connection refused/reset/closed, port-forward or exec failure) mean the
   * question never got an answer: unobserved, never judged as a wrong answer.
   */
  rcode: string;
  addresses: string[];
  ttl?: number;
  /** For TIMEOUT and TRANSPORT: what went wrong. */
  error?: string;
}

/** One resolver's view: a CoreDNS pod (via port-forward), --dns-server, or a workload pod's own resolver. */
export interface DnsServerAnswers {
  server: string;
  answers: DnsAnswer[];
}

/** Every answer seen for one A query, oldest first, until it settled or the budget ran out. */
export interface DnsALookup {
  fqdn: string;
  pod: string;
  /** The first server's answers (kept for older readers; `servers` has every server's). */
  answers: DnsAnswer[];
  /** Every server asked, each with its answers oldest first. */
  servers?: DnsServerAnswers[];
  /** The answer seen from inside a workload pod through its own resolver (busybox nslookup). */
  inPod?: { pod: string; answer: DnsAnswer };
}

export interface DnsSrvLookup {
  qname: string;
  t: number;
  rcode: string;
  targets: { target: string; port: number }[];
  error?: string;
  /** Every server's last SRV answer (the fields above are the first server's). */
  servers?: SrvAnswer[];
  /** The SRV answer seen from inside a workload pod through its own resolver. */
  inPod?: SrvAnswer & { pod: string };
}

/** One server's SRV answer; rcode as in DnsAnswer (TIMEOUT/TRANSPORT = unobserved). */
export interface SrvAnswer {
  server: string;
  t: number;
  rcode: string;
  targets: { target: string; port: number }[];
  /** The lowest TTL of the SRV records (seconds): how long a resolver may keep serving this list. */
  ttl?: number;
  error?: string;
}

export interface SentinelRecord {
  pod: string;
  path: string;
  /** sha256 of the token, so reports can show it without storing secrets twice. */
  sha256: string;
  bytes: number;
  /** The token itself (random hex; not a secret). Absent when the read failed. */
  token?: string;
  error?: string;
  /**
   * The read could not be made (exec transport failure, timeout): nothing is known about
   * the file. Without it, `error` means the pod answered and the file is gone or unreadable.
   */
  unobserved?: true;
}

/** Topology state of a primary-replica workload: the primary's data and each replica's copy. */
export interface TopologySnapshot {
  primary: string;
  /** The primary's data file as read through the primary pod. */
  primaryData?: string;
  /** The primary's own identity as it serves it (downward API): the generation replicas must name. */
  primaryUid?: string;
  primaryIp?: string;
  copies: TopologyCopy[];
  error?: string;
  /** The primary's read failed in transport: unobserved, not missing. */
  unobserved?: true;
}

export interface TopologyCopy {
  pod: string;
  data?: string;
  /** "<uid> <ip>" of the primary pod that served this copy, as the replica recorded it. */
  servedBy?: { uid: string; ip: string };
  error?: string;
  unobserved?: true;
}

/**
 * One writer of a heartbeat file (lib/workloads/heartbeat.ts): a container start of one
 * pod UID, with the first and last beat it wrote. Times in ms on the kernel's monotonic
 * uptime (comparable between writers with the same boot id) and on the wall clock.
 */
export interface HeartbeatWriter {
  uid: string;
  /** The container's start, as uptime seconds text (distinguishes restarts in place). */
  start: string;
  bootId: string;
  beats: number;
  firstUptimeMs: number;
  lastUptimeMs: number;
  /** Wall clock ms; second resolution when the image's date has no %N. */
  firstWallMs?: number;
  lastWallMs?: number;
  /** Some wall times are whole seconds (an image whose date has no %N). */
  coarseWall?: true;
}

/**
 * One kernel's wall clock measured against the harness's, NTP-style: the pod's `date`
 * bracketed by the harness's clock before and after the exec. offsetMs = kernel − harness
 * at the bracket's midpoint; the true offset lies within ± uncertaintyMs (half the
 * bracket, plus a second when the image's date has no %N).
 */
export interface ClockReading {
  pod: string;
  node: string;
  bootId: string;
  offsetMs: number;
  uncertaintyMs: number;
  /** Run ms of the bracket's midpoint. */
  t: number;
}

/** The heartbeat file of one ordinal's volume, read through its current pod after chaos. */
export interface HeartbeatRecord {
  pod: string;
  path: string;
  writers: HeartbeatWriter[];
  /** Lines that did not parse (a torn write when a writer died mid-line). */
  badLines?: number;
  error?: string;
  /** The read could not be made (exec transport failure). */
  unobserved?: true;
}

/** One etcd member as the member list gives it; IDs are decimal strings (64-bit). */
export interface EtcdMember {
  id: string;
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

/** A member's client URL as `endpoint health` and `endpoint status` answered for it. */
export interface EtcdEndpoint {
  endpoint: string;
  healthy: boolean;
  error?: string;
  /** From endpoint status: the member that answered and the leader it names. */
  memberId?: string;
  leader?: string;
}

/** etcd's membership and health as etcdctl inside one member (askedPod) reported it. */
export interface MembershipSnapshot {
  askedPod?: string;
  members: EtcdMember[];
  endpoints: EtcdEndpoint[];
  error?: string;
  /** No member's etcdctl answered (exec failure): nothing is known. */
  unobserved?: true;
  /** Observations made until the cluster settled or the budget ran out. */
  attempts?: number;
}

export interface Snapshot {
  t: number;
  pods: PodSnapshot[];
  dnsA: DnsALookup[];
  dnsSrv?: DnsSrvLookup;
  sentinels: SentinelRecord[];
  /** After chaos only: each volume's heartbeat writers (STS-AT-MOST-ONE). */
  heartbeats?: HeartbeatRecord[];
  /** Each kernel's wall clock against the harness's, read through a pod on it (workloads with heartbeats). */
  clocks?: ClockReading[];
  /** Present for workloads with topology state (primary-replica). */
  topology?: TopologySnapshot;
  /** Present for the etcd sample: its membership and health. */
  membership?: MembershipSnapshot;
  /** Present for the postgres sample: each server's replication state (STS-TOPOLOGY-PRIMARY). */
  replication?: ReplicationProbe;
  /** Probes that could not run in this image or were turned off, each with the reason (the checks needing them are skipped). */
  skippedProbes?: { sentinel?: string; inPod?: string };
}
