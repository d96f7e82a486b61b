// What the node agent may leave in a pod, read from the host (the fault specs run as root
// on the machine that hosts every node): its chains in the pod's filter table (partition,
// loss), its tbf qdisc (bandwidth), its fill file on the pod's volume (disk-full). And
// faults of every kind beside a spec's partition, so one heal path is seen to heal each.
import { execFile } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import { TBF_HANDLE } from '../../lib/agent/bandwidth.ts';
import { FILL_FILE, volumePid } from '../../lib/agent/disk.ts';
import { LOSS_CHAIN } from '../../lib/agent/loss.ts';
import { podPid } from '../../lib/agent/node.ts';
import { CHAIN } from '../../lib/agent/request.ts';
import { maxFillBytes } from '../../lib/chaos/disk-confirm.ts';
import { FaultRequest } from '../../lib/chaos/fault-request.ts';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { waitFor } from './components.ts';

const run = promisify(execFile);
const BUSYBOX = 'docker.io/library/busybox:1.35.0';
/** Where the volume pod mounts its claim. */
export const VOLUME_PATH = '/data';
export const CLAIM_BYTES = 16 * 1024 * 1024;

/** The agent's marks found in a pod: its chains, its tbf, its fill file (empty: nothing left). */
export async function agentMarks(podUid: string, volumePath?: string): Promise<string[]> {
  const pid = await podPid(podUid);
  if (pid === undefined) throw new Error(`no process of pod uid ${podUid} on this machine: its netns cannot be read`);
  const ns = `--net=/proc/${pid}/ns/net`;
  const [rules, qdiscs] = await Promise.all([
    run('nsenter', [ns, 'iptables', '-w', '5', '-S']),
    run('nsenter', [ns, 'tc', 'qdisc', 'show']),
  ]);
  const marks = [CHAIN, LOSS_CHAIN].filter((c) => rules.stdout.includes(`-N ${c}`));
  if (qdiscs.stdout.includes(`tbf ${TBF_HANDLE}`)) marks.push(`tbf ${TBF_HANDLE}`);
  if (volumePath !== undefined) {
    const vpid = await volumePid(podUid, volumePath);
    if (vpid === undefined) throw new Error(`no process of pod uid ${podUid} mounts ${volumePath} on this machine`);
    const fill = await stat(`/proc/${vpid}/root${volumePath}/${FILL_FILE}`).then(
      () => true,
      () => false,
    );
    if (fill) marks.push(FILL_FILE);
  }
  return marks;
}

/** A busybox pod that only sleeps, on `node` when given; with `claim`, that claim mounted at VOLUME_PATH. */
function sleepingPod(name: string, o: { node?: string; claim?: string } = {}): V1Pod {
  const mount = o.claim ? { volumeMounts: [{ name: 'data', mountPath: VOLUME_PATH }] } : {};
  return {
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 0,
      ...(o.node ? { nodeSelector: { 'kubernetes.io/hostname': o.node } } : {}),
      ...(o.claim ? { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: o.claim } }] } : {}),
      containers: [{ name: 'main', image: BUSYBOX, imagePullPolicy: 'IfNotPresent', command: ['sleep', '3600'], ...mount }],
    },
  };
}

/** A pod that only sleeps (busybox), once Running with an IP: a peer or target for the agent's rules. */
export async function sleeper(cluster: Cluster, namespace: string, name: string): Promise<V1Pod> {
  await cluster.core.createNamespacedPod({ namespace, body: sleepingPod(name) });
  return waitFor(`pod ${namespace}/${name} Running with an IP`, 90_000, async () => {
    const p = await cluster.core.readNamespacedPod({ name, namespace });
    const ok = p.status?.phase === 'Running' && p.status.podIP;
    return { ...(ok ? { value: p } : {}), seen: `pod ${p.status?.phase}, IP ${p.status?.podIP ?? 'none'}` };
  });
}

/**
 * A pod (on `node`, when given) whose volume is a CLAIM_BYTES claim of the fixed-size class
 * (a real ENOSPC); a pod created again under a name mounts that name's claim again.
 */
export async function volumePod(cluster: Cluster, namespace: string, name: string, node?: string): Promise<{ pod: V1Pod; pv: string }> {
  const claim = `${name}-data`;
  const exists = await cluster.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace }).then(
    () => true,
    () => false,
  );
  if (!exists)
    await cluster.core.createNamespacedPersistentVolumeClaim({
      namespace,
      body: {
        metadata: { name: claim },
        spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'ordinal-fixed', resources: { requests: { storage: '16Mi' } } },
      },
    });
  await cluster.core.createNamespacedPod({ namespace, body: sleepingPod(name, { claim, ...(node ? { node } : {}) }) });
  return waitFor(`pod ${namespace}/${name} with a fixed-size claim Running`, 120_000, async () => {
    const p = await cluster.core.readNamespacedPod({ name, namespace });
    const c = await cluster.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace });
    const pv = c.spec?.volumeName;
    const ok = p.status?.phase === 'Running' && pv;
    return { ...(ok ? { value: { pod: p, pv } } : {}), seen: `pod ${p.status?.phase}, claim ${c.status?.phase}` };
  });
}

/**
 * Beside a case's partition of `a`: a loss on `a` (to `peer`), and a thin pipe and a full
 * volume on `disk` (a volumePod on a's node; the agent holds one loss or pipe per pod, a
 * second replacing the first). Each applied before it returns, so a heal path that leaves
 * any of them is seen; the caller removes them.
 */
export async function companions(
  cluster: Cluster,
  namespace: string,
  tag: string,
  pods: { a: V1Pod; peer: V1Pod; disk: { pod: V1Pod; pv: string } },
  log: (line: string) => void,
): Promise<FaultRequest[]> {
  const { a, peer, disk } = pods;
  const onA = { pod: a.metadata?.name ?? '', podUid: a.metadata?.uid ?? '' };
  const onDisk = { pod: disk.pod.metadata?.name ?? '', podUid: disk.pod.metadata?.uid ?? '' };
  const specs = [
    { ...onA, fault: 'loss' as const, peers: [peer.status?.podIP ?? ''], percent: 30 },
    { ...onDisk, fault: 'bandwidth' as const, peers: [], rateKbit: 256 },
    {
      ...onDisk,
      fault: 'disk-full' as const,
      peers: [],
      path: VOLUME_PATH,
      maxBytes: maxFillBytes(CLAIM_BYTES),
      volume: disk.pv,
    },
  ];
  const requests = specs.map((s) => new FaultRequest(cluster, namespace, `${tag}-${s.fault}`, log));
  await Promise.all(requests.map((r, i) => r.create(specs[i] as (typeof specs)[number])));
  for (const [i, r] of requests.entries()) {
    const s = await r.waitFor(['applied', 'refused', 'healed'], 30_000, `${tag} ${specs[i]?.fault}`);
    if (s.phase !== 'applied') throw new Error(`${tag}: the ${specs[i]?.fault} request was ${s.phase}: ${s.seen}`);
  }
  return requests;
}
