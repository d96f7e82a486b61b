// Baseline and after snapshots: what the recorder knows about each ordinal, plus
// what only a probe can tell (the hostname inside the pod, DNS answers, sentinels).
import type { Cluster } from './cluster.ts';
import { settleA, type DnsProbe } from './probes/dns.ts';
import { readFileIn } from './probes/exec.ts';
import { hostnameIn, readSentinel, writeSentinel } from './probes/sentinel.ts';
import { podFqdn, podName } from './names.ts';
import { isReady } from './timeline/queries.ts';
import type { Recorder } from './recorder.ts';
import type { DnsSrvLookup, PodSnapshot, SentinelRecord, Snapshot, TopologySnapshot, WorkloadInfo } from './types.ts';
import type { Workload } from './workloads/common.ts';

/** Per-ordinal facts from the recorder's current state (no I/O). */
export function recordedPods(rec: Recorder, w: WorkloadInfo): PodSnapshot[] {
  const out: PodSnapshot[] = [];
  for (let ordinal = 0; ordinal < w.replicas; ordinal++) {
    const name = podName(w, ordinal);
    const p = rec.pods.get(name);
    if (!p) continue;
    const claims: PodSnapshot['claims'] = {};
    for (const template of w.claimTemplates) {
      const claimName = p.claims[template];
      if (!claimName) continue;
      const pvc = rec.pvcs.get(claimName);
      const pv = pvc?.volumeName ? rec.pvs.get(pvc.volumeName) : undefined;
      claims[template] = { claimName, pvcUid: pvc?.uid ?? '', pvName: pvc?.volumeName ?? '', pvUid: pv?.uid ?? '' };
    }
    out.push({
      name, ordinal, uid: p.uid, ip: p.ip ?? '', hostname: p.hostname ?? '', subdomain: p.subdomain ?? '',
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
}

export async function takeSnapshot(ctx: SnapshotContext, sentinels: 'write' | 'read'): Promise<Snapshot> {
  const { cluster, recorder, workload, dns } = ctx;
  const w = workload.info;
  const t = recorder.now();
  const pods = recordedPods(recorder, w);
  const now = (): number => recorder.now();
  for (const p of pods) {
    // A failed exec is the harness's problem, not a wrong hostname: leave it unset.
    const h = await hostnameIn(cluster, w.namespace, p.name, workload.container).catch(() => undefined);
    if (h !== undefined) p.hostnameInPod = h;
  }
  const sentinelRecords: SentinelRecord[] = [];
  for (const p of pods) {
    sentinelRecords.push(
      sentinels === 'write'
        ? await writeSentinel(cluster, w.namespace, p.name, workload.container, workload.dataPath)
        : await readSentinel(cluster, w.namespace, p.name, workload.container, workload.dataPath),
    );
  }
  const dnsA = await Promise.all(pods.map((p) => settleA(dns, p.name, podFqdn(w, p.name), p.ip, ctx.dnsBudgetMs, now)));
  const dnsSrv = await settleSrv(dns, w, pods, ctx.dnsBudgetMs, now);
  const snap: Snapshot = { t, pods, dnsA, dnsSrv, sentinels: sentinelRecords };
  if (workload.topology) snap.topology = await readTopology(ctx, pods);
  return snap;
}

/** The primary's data and every replica's copy of it, read through each pod. */
async function readTopology(ctx: SnapshotContext, pods: PodSnapshot[]): Promise<TopologySnapshot> {
  const { cluster, workload } = ctx;
  const t = workload.topology!;
  const ns = workload.info.namespace;
  const read = (pod: string, path: string): Promise<{ data?: string; error?: string }> =>
    readFileIn(cluster, ns, pod, workload.container, path);
  const primary = podName(workload.info, 0);
  const p = await read(primary, t.primaryPath);
  const copies = [];
  for (const pod of pods.filter((x) => x.ordinal > 0)) copies.push({ pod: pod.name, ...(await read(pod.name, t.copyPath)) });
  return { primary, ...(p.data !== undefined ? { primaryData: p.data } : {}), ...(p.error ? { error: p.error } : {}), copies };
}

/** SRV for the headless service, asked again (TTL-paced) until it lists exactly the ready pods or the budget ends. */
async function settleSrv(dns: DnsProbe, w: WorkloadInfo, pods: PodSnapshot[], budgetMs: number, now: () => number): Promise<DnsSrvLookup> {
  const qname = `_${w.portName}._tcp.${w.service}.${w.namespace}.svc.${w.clusterDomain}`;
  const want = pods.filter((p) => p.ready).map((p) => podFqdn(w, p.name)).sort().join(',');
  const deadline = now() + budgetMs;
  for (;;) {
    const srv = await dns.resolveSrv(qname, now);
    const got = srv.targets.map((x) => x.target.replace(/\.$/, '').toLowerCase()).sort().join(',');
    if (got === want || now() + 2000 > deadline) return srv;
    await new Promise((r) => setTimeout(r, 2000));
  }
}
