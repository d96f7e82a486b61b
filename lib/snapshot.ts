// Baseline and after snapshots: what the recorder knows about each ordinal, plus
// what only a probe can tell (the hostname inside the pod, DNS answers, sentinels,
// topology). Probes never throw for observation trouble: they record it, and the
// checks turn it into `error`.
import type { Cluster } from './cluster.ts';
import { resolveInPod } from './probes/dns-inpod.ts';
import { settleA, settleSrv, type DnsProbe } from './probes/dns.ts';
import { readMembership, settleMembership } from './probes/etcd.ts';
import { clusterExec, readFileIn, type ExecFn } from './probes/exec.ts';
import { readHeartbeats } from './probes/heartbeat.ts';
import { hostnameIn, readSentinel, writeSentinel } from './probes/sentinel.ts';
import { ordinals, podFqdn, podName, serviceSrvName, startOrdinal } from './names.ts';
import { isReady } from './timeline/queries.ts';
import type { Recorder } from './observe/recorder.ts';
import type { PodSnapshot, SentinelRecord, Snapshot, TopologyCopy, TopologySnapshot, WorkloadInfo } from './types.ts';
import type { Workload } from './workloads/common.ts';
import { TIMEOUTS } from './timeouts.ts';

/** Per-ordinal facts from the recorder's current state (no I/O). */
export function recordedPods(rec: Pick<Recorder, 'pods' | 'pvcs' | 'pvs'>, w: WorkloadInfo): PodSnapshot[] {
  const out: PodSnapshot[] = [];
  for (const ordinal of ordinals(w)) {
    const name = podName(w, ordinal);
    const p = rec.pods.get(name);
    if (!p) continue;
    const claims: PodSnapshot['claims'] = {};
    for (const template of w.claimTemplates) {
      const claimName = p.claims[template];
      if (!claimName) continue;
      const pvc = rec.pvcs.get(claimName);
      const pv = pvc?.volumeName ? rec.pvs.get(pvc.volumeName) : undefined;
      claims[template] = {
        claimName, pvcUid: pvc?.uid ?? '', pvName: pvc?.volumeName ?? '', pvUid: pv?.uid ?? '',
        pvcPhase: pvc?.phase ?? '', pvClaimUid: pv?.claimUid ?? '',
      };
    }
    out.push({
      name, ordinal, uid: p.uid, ip: p.ip ?? '', hostname: p.hostname ?? '', subdomain: p.subdomain ?? '',
      // Ready, not Available: endpoints (and so DNS) publish a pod once it is Ready.
      node: p.node ?? '', ready: isReady(p), claims,
    });
  }
  return out;
}

export interface SnapshotContext {
  cluster: Cluster;
  recorder: Recorder;
  workload: Workload;
  dns: DnsProbe;
  dnsBudgetMs: number;
  /** Injected in tests; defaults to exec through the API server. */
  exec?: ExecFn;
}

export async function takeSnapshot(ctx: SnapshotContext, sentinels: 'write' | 'read'): Promise<Snapshot> {
  const { recorder, workload, dns } = ctx;
  const w = workload.info;
  // Probes ride out an API server restart for as long as the DNS budget (default 60 s).
  const exec = ctx.exec ?? clusterExec(ctx.cluster, w.namespace, Date.now() + Math.max(ctx.dnsBudgetMs, TIMEOUTS.snapshotExecsAtLeast));
  const t = recorder.now();
  const pods = recordedPods(recorder, w);
  const now = (): number => recorder.now();
  for (const p of workload.inPodSkip ? [] : pods) {
    const h = await hostnameIn(exec, p.name, workload.container);
    if (h.hostname !== undefined) p.hostnameInPod = h.hostname;
    else p.hostnameError = h.error ?? 'no hostname';
  }
  const sentinelRecords: SentinelRecord[] = [];
  for (const p of workload.sentinelSkip ? [] : pods) {
    sentinelRecords.push(
      sentinels === 'write'
        ? await writeSentinel(exec, p.name, workload.container, workload.dataPath)
        : await readSentinel(exec, p.name, workload.container, workload.dataPath),
    );
  }
  const dnsA = await Promise.all(pods.map((p) => settleA(dns.servers, p.name, podFqdn(w, p.name), p.ip, ctx.dnsBudgetMs, now)));
  const qname = serviceSrvName(w);
  const want = pods.filter((p) => p.ready).map((p) => podFqdn(w, p.name));
  const dnsSrv = await settleSrv(dns.servers, qname, want, ctx.dnsBudgetMs, now);
  // What the application sees, asked once the servers have settled: from the lowest
  // Ready ordinal, through its own resolver.
  const asker = workload.inPodSkip ? undefined : pods.find((p) => p.ready);
  if (asker) {
    const inPod = await resolveInPod(exec, asker.name, workload.container, dnsA.map((l) => l.fqdn), qname, now);
    for (const l of dnsA) {
      const a = inPod.a.get(l.fqdn);
      if (a) l.inPod = { pod: asker.name, answer: a };
    }
    if (inPod.srv) dnsSrv.inPod = inPod.srv;
  }
  const snap: Snapshot = { t, pods, dnsA, dnsSrv, sentinels: sentinelRecords };
  const skippedProbes = { ...(workload.sentinelSkip ? { sentinel: workload.sentinelSkip } : {}), ...(workload.inPodSkip ? { inPod: workload.inPodSkip } : {}) };
  if (Object.keys(skippedProbes).length > 0) snap.skippedProbes = skippedProbes;
  if (workload.topology) snap.topology = await readTopology(exec, workload, pods);
  // Only workloads whose containers write heartbeats (the sample ones) have any to read.
  const path = workload.heartbeatPath;
  if (sentinels === 'read' && path !== undefined) {
    snap.heartbeats = [];
    for (const p of pods) snap.heartbeats.push(await readHeartbeats(exec, p.name, workload.container, path));
  }
  if (workload.etcd) {
    // Ready members first: the likeliest to answer for the cluster.
    const askOrder = [...pods.filter((p) => p.ready), ...pods.filter((p) => !p.ready)].map((p) => p.name);
    const port = workload.etcd.clientPort;
    snap.membership = await settleMembership(() => readMembership(exec, askOrder, workload.container, port), ctx.dnsBudgetMs);
  }
  return snap;
}

/** The primary's data and identity, and every replica's copy with the identity of the primary that served it. */
export async function readTopology(exec: ExecFn, workload: Workload, pods: readonly PodSnapshot[]): Promise<TopologySnapshot> {
  const t = workload.topology!;
  const read = (pod: string, path: string): ReturnType<typeof readFileIn> => readFileIn(exec, pod, workload.container, path);
  const primary = podName(workload.info, startOrdinal(workload.info));
  const snap: TopologySnapshot = { primary, copies: [] };
  const data = await read(primary, t.primaryPath);
  if (data.data !== undefined) snap.primaryData = data.data;
  else {
    snap.error = data.error ?? 'no data';
    if (data.unobserved) snap.unobserved = true;
  }
  const id = parseIdentity((await read(primary, t.primaryIdPath)).data);
  if (id) {
    snap.primaryUid = id.uid;
    snap.primaryIp = id.ip;
  }
  for (const pod of pods.filter((x) => x.name !== primary)) {
    const copy: TopologyCopy = { pod: pod.name };
    const c = await read(pod.name, t.copyPath);
    const s = c.unobserved ? c : await read(pod.name, t.servedByPath);
    if (c.data !== undefined) copy.data = c.data;
    const servedBy = parseIdentity(s.data);
    if (servedBy) copy.servedBy = servedBy;
    const error = c.error ?? (servedBy ? undefined : `served-by: ${s.error ?? `unreadable identity ${JSON.stringify(s.data)}`}`);
    if (error) copy.error = error;
    if (c.unobserved || s.unobserved) copy.unobserved = true;
    snap.copies.push(copy);
  }
  return snap;
}

/** "<uid> <ip>" as the primary writes it. */
function parseIdentity(text: string | undefined): { uid: string; ip: string } | undefined {
  const [uid, ip = ''] = (text ?? '').trim().split(/\s+/);
  return uid ? { uid, ip } : undefined;
}
