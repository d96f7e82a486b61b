// The agent's disk-full steps (lib/agent/agent.ts calls them): fill on apply, top up
// while held (the pod may delete files of its own and get space back), free on heal,
// through whichever process of the pod mounts the volume now. A pod replaced during the
// fault (same name, new UID, on this node: its local volume pins it here) is freed
// through its replacement, so no fill file outlives the fault.
import type { Cluster } from '../cluster/cluster.ts';
import { describeError } from '../errors.ts';
import { FILL_FILE, fillVolume, freeDir, freeVolume, hostVolumeDirs, volumePid } from './disk.ts';
import type { FaultSpec } from './request.ts';
import type { AppliedFault } from './state.ts';

/** What the agent records for a disk-full fault besides the common fields. */
export function diskFields(spec: FaultSpec): Pick<AppliedFault, 'fault' | 'pod' | 'path' | 'maxBytes' | 'volume'> {
  return { fault: 'disk-full', pod: spec.pod, path: spec.path ?? '', maxBytes: spec.maxBytes ?? 0, volume: spec.volume ?? '' };
}

export async function applyDisk(pid: number, spec: FaultSpec): Promise<string> {
  const path = spec.path ?? '';
  const f = await fillVolume(pid, path, spec.maxBytes ?? 0);
  return `${path}/${FILL_FILE} in the mount namespace of pid ${pid}: ${f.fileBytes} bytes written until ENOSPC; filesystem ${f.fsBytes} bytes, ${f.freeBytes} free`;
}

/** A process that mounts the volume now: the pod's own, else its replacement's on this node. */
async function pidFor(c: Cluster, f: AppliedFault, node: string): Promise<number | undefined> {
  const path = f.path ?? '';
  const own = await volumePid(f.podUid, path);
  if (own !== undefined || !f.pod) return own;
  const namespace = f.key.split('/')[0] ?? '';
  const now = await c.core.readNamespacedPod({ name: f.pod, namespace }).catch(() => undefined);
  const uid = now?.metadata?.uid;
  return uid && uid !== f.podUid && now?.spec?.nodeName === node ? volumePid(uid, path) : undefined;
}

/** Tops the fill up while held; a line when it had to (the pod freed space), else undefined. */
export async function topUp(c: Cluster, f: AppliedFault, node: string): Promise<string | undefined> {
  const pid = await pidFor(c, f, node);
  if (pid === undefined) return undefined;
  const r = await fillVolume(pid, f.path ?? '', f.maxBytes ?? 0).catch((err: unknown) => describeError(err));
  if (typeof r === 'string') return `topping up failed: ${r}`;
  return undefined;
}

/**
 * Deletes the fill file: through a container of the pod (or its replacement) that mounts
 * the volume, else through the kubelet's mount of the PersistentVolume on the host (a
 * container that exited on ENOSPC has no mount namespace left). What was seen, and
 * whether the volume is known clean.
 */
export async function healDisk(c: Cluster, f: AppliedFault, node: string): Promise<{ clean: boolean; seen: string }> {
  const where = `${f.path}/${FILL_FILE}`;
  const pid = await pidFor(c, f, node);
  if (pid !== undefined) {
    const clean = await freeVolume(pid, f.path ?? '').catch(() => false);
    if (clean) return { clean, seen: `${where} removed (mount namespace of pid ${pid})` };
  }
  for (const dir of f.volume ? await hostVolumeDirs(f.podUid, f.volume) : []) {
    if (await freeDir(dir).catch(() => false)) return { clean: true, seen: `${where} removed through the kubelet's mount ${dir}` };
  }
  return {
    clean: false,
    seen: `no process of pod ${f.pod ?? f.podUid} mounts ${f.path} on this node, nor could it be removed through the kubelet's mount of ${f.volume || 'its volume'}: ${where} may be left`,
  };
}
