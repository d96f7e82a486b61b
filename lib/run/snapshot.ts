// Baseline and after snapshots: what the recorder knows about each ordinal, plus
// what only a probe can tell (the hostname inside the pod, DNS answers, sentinels,
// topology). Probes never throw for observation trouble: they record it, and the
// checks turn it into `error`.
import { settleInPod } from '../probes/dns-inpod.ts';
import type { DnsProbe } from '../probes/dns.ts';
import { settleA, settleSrv } from '../probes/dns-settle.ts';
import { DnsListing } from '../timeline/dns-listing.ts';
import { readMembership, settleMembership } from '../probes/etcd.ts';
import { clusterExec, readFileIn, type ExecFn } from '../probes/exec.ts';
import { readHeartbeats } from '../probes/heartbeat.ts';
import { readClock } from '../probes/clock.ts';
import { hostnameIn, readSentinel, writeSentinel } from '../probes/sentinel.ts';
import { ordinals, podFqdn, podName, serviceSrvName, startOrdinal } from '../names.ts';
import { isReady } from '../timeline/queries.ts';
import type { Recorder } from '../observe/recorder.ts';
import type { WorkloadInfo } from '../model.ts';
import type { DnsAnswer, PodSnapshot, SentinelRecord, Snapshot, SrvAnswer, TopologyCopy, TopologySnapshot } from '../probes/records.ts';
import type { TimelineEntry } from '../timeline/entries.ts';
import type { Workload } from '../workloads/common.ts';
import type { RunContext } from './context.ts';
import { TIMEOUTS } from '../timeouts.ts';
import { replicationProbe } from './replication.ts';

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
        claimName,
        pvcUid: pvc?.uid ?? '',
        pvName: pvc?.volumeName ?? '',
        pvUid: pv?.uid ?? '',
        pvcPhase: pvc?.phase ?? '',
        pvClaimUid: pv?.claimUid ?? '',
      };
    }
    out.push({
      name,
      ordinal,
      uid: p.uid,
      ip: p.ip ?? '',
      hostname: p.hostname ?? '',
      subdomain: p.subdomain ?? '',
      // Ready, not Available: endpoints (and so DNS) publish a pod once it is Ready.
      node: p.node ?? '',
      ready: isReady(p),
      claims,
    });
  }
  return out;
}

/** What a snapshot needs of the run's context; `exec` is injected in tests (default: exec through the API server). */
export type SnapshotContext = Pick<RunContext, 'cluster' | 'recorder' | 'timeouts'> & { subject: { workload: Workload }; exec?: ExecFn };

export async function takeSnapshot(ctx: SnapshotContext, dns: DnsProbe, sentinels: 'write' | 'read'): Promise<Snapshot> {
  const { recorder } = ctx;
  const workload = ctx.subject.workload;
  const w = workload.info;
  const dnsBudgetMs = ctx.timeouts.dns;
  // Probes ride out an API server restart for as long as the DNS budget (default 60 s).
  const exec = ctx.exec ?? clusterExec(ctx.cluster, w.namespace, Date.now() + Math.max(dnsBudgetMs, TIMEOUTS.snapshotExecsAtLeast));
  const t = recorder.now();
  const pods = recordedPods(recorder, w);
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
  const { dnsA, dnsSrv } = await probeDns(ctx, dns, pods, exec);
  const snap: Snapshot = { t, pods, dnsA, dnsSrv, sentinels: sentinelRecords };
  const skippedProbes = {
    ...(workload.sentinelSkip ? { sentinel: workload.sentinelSkip } : {}),
    ...(workload.inPodSkip ? { inPod: workload.inPodSkip } : {}),
  };
  if (Object.keys(skippedProbes).length > 0) snap.skippedProbes = skippedProbes;
  if (workload.topology) snap.topology = await readTopology(exec, workload, pods);
  // Only workloads whose containers write heartbeats (the sample ones) have any to read.
  const path = workload.heartbeatPath;
  if (path !== undefined) snap.clocks = await readClocks(ctx, exec, pods);
  if (sentinels === 'read' && path !== undefined) {
    snap.heartbeats = [];
    for (const p of pods) snap.heartbeats.push(await readHeartbeats(exec, p.name, workload.container, path));
  }
  if (workload.postgres) snap.replication = await replicationProbe(exec, recorder, workload, sentinels === 'write' ? 'baseline' : 'after');
  if (workload.etcd) {
    // Ready members first: the likeliest to answer for the cluster.
    const askOrder = [...pods.filter((p) => p.ready), ...pods.filter((p) => !p.ready)].map((p) => p.name);
    const port = workload.etcd.clientPort;
    snap.membership = await settleMembership(() => readMembership(exec, askOrder, workload.container, port), dnsBudgetMs);
  }
  return snap;
}

/**
 * Each pod's kernel clock against the harness's, in both snapshots: a writer's kernel is
 * measured while a pod runs on it. A failed read leaves that kernel unmeasured, and
 * STS-AT-MOST-ONE says so if it needs it.
 */
async function readClocks(ctx: SnapshotContext, exec: ExecFn, pods: readonly PodSnapshot[]): Promise<NonNullable<Snapshot['clocks']>> {
  const out: NonNullable<Snapshot['clocks']> = [];
  const runMs = (wall: number): number => ctx.recorder.now() - (Date.now() - wall);
  for (const p of pods) {
    const r = await readClock(exec, p.name, p.node, ctx.subject.workload.container, { now: Date.now, runMs });
    if ('reading' in r) out.push(r.reading);
  }
  return out;
}

/**
 * A and SRV from every server and from inside the lowest Ready pod, each settled against
 * what DNS publishes at the moment of its answer (the live timeline): readiness may
 * change during the snapshot, and a frozen expectation would wait for a stale list.
 * The budget counts from when the API server was last back (a watch-gap marker): CoreDNS
 * cannot follow a change before its own watch re-lists.
 */
async function probeDns(
  ctx: SnapshotContext,
  dns: DnsProbe,
  pods: readonly PodSnapshot[],
  exec: ExecFn,
): Promise<Pick<Snapshot, 'dnsA' | 'dnsSrv'>> {
  const { recorder } = ctx;
  const workload = ctx.subject.workload;
  const w = workload.info;
  const dnsBudgetMs = ctx.timeouts.dns;
  const now = (): number => recorder.now();
  const listing = (): DnsListing =>
    new DnsListing(recorder.timeline, {
      statefulSet: w.statefulSet,
      budgetMs: dnsBudgetMs,
      ...(w.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    });
  const start = now();
  const deadline = (): number => Math.max(start, lastApiReturn(recorder.timeline)) + dnsBudgetMs;
  // Published at this moment: the IP (or no record), exactly.
  const settledA =
    (pod: PodSnapshot | undefined) =>
    (a: DnsAnswer): boolean => {
      const l = listing();
      // A pod the timeline never showed (not expected): the snapshot's IP.
      const ip = pod && !l.pods().includes(pod.name) ? pod.ip : l.now(pod?.name ?? '', a.t);
      return ip ? a.rcode === 'NOERROR' && a.addresses.length === 1 && a.addresses[0] === ip : a.rcode === 'NXDOMAIN';
    };
  const published = (t: number): string[] => {
    const l = listing();
    return l
      .pods()
      .filter((p) => l.now(p, t) !== undefined)
      .map((p) => podFqdn(w, p));
  };
  const norm = (s: string): string => s.replace(/\.$/, '').toLowerCase();
  const settledSrv = (a: SrvAnswer): boolean =>
    a.rcode === 'NOERROR' &&
    a.targets
      .map((x) => norm(x.target))
      .sort()
      .join(',') === published(a.t).map(norm).sort().join(',');
  const dnsA = await Promise.all(pods.map((p) => settleA(dns.servers, p.name, podFqdn(w, p.name), settledA(p), deadline, now)));
  const qname = serviceSrvName(w);
  const dnsSrv = await settleSrv(dns.servers, qname, published, deadline, now);
  // What the application sees: from the lowest Ready ordinal, through its own resolver.
  const asker = workload.inPodSkip ? undefined : pods.find((p) => p.ready);
  if (asker) {
    const podOf = new Map(dnsA.map((l) => [l.fqdn, pods.find((p) => p.name === l.pod)]));
    const inPod = await settleInPod(
      exec,
      asker.name,
      workload.container,
      dnsA.map((l) => l.fqdn),
      qname,
      {
        a: (name, a) => settledA(podOf.get(name))(a),
        srv: settledSrv,
      },
      deadline,
      now,
    );
    for (const l of dnsA) {
      const a = inPod.a.get(l.fqdn);
      if (a) l.inPod = { pod: asker.name, answer: a };
    }
    if (inPod.srv) dnsSrv.inPod = inPod.srv;
  }
  return { dnsA, dnsSrv };
}

/** When the API server was last seen back after an outage (the end of the latest pod watch gap), or -Infinity. */
export function lastApiReturn(timeline: readonly TimelineEntry[]): number {
  let back = Number.NEGATIVE_INFINITY;
  for (const e of timeline) if (e.type === 'MARKER' && e.marker === 'watch-gap' && e.kind === 'Pod') back = Math.max(back, e.to);
  return back;
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
