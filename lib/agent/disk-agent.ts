// The agent's disk-full steps (lib/agent/agent.ts calls them): fill on apply, top up
// while held (the pod may delete files of its own and get space back), free on heal,
// through whichever process of the pod mounts the volume now. A pod replaced during the
// fault (same name, new UID, on this node: its local volume pins it here) is freed
// through its replacement, so no fill file outlives the fault.
import type { Cluster } from '../cluster/cluster.ts';
import { describeError } from '../errors.ts';
import type { DiskProbe } from './disk-request.ts';
import { FILL_FILE, fillVolume, freeDir, hostVolumeDirs, probeDir, volumeDir, volumePid } from './disk.ts';
import type { FaultSpec } from './request.ts';
import type { AppliedFault } from './state.ts';

/** What the agent records for a disk-full fault besides the common fields. */
export function diskFields(spec: FaultSpec): Pick<AppliedFault, 'fault' | 'pod' | 'path' | 'maxBytes' | 'volume'> {
  return { fault: 'disk-full', pod: spec.pod, path: spec.path ?? '', maxBytes: spec.maxBytes ?? 0, volume: spec.volume ?? '' };
}

/** Fills the volume, then writes to it once more as the probe in the pod would: the status carries that `probe`. */
export async function applyDisk(pid: number, spec: FaultSpec): Promise<{ seen: string; probe: DiskProbe }> {
  const path = spec.path ?? '';
  const f = await fillVolume(pid, path, spec.maxBytes ?? 0);
  const probe = await probeDir(volumeDir(pid, path));
  return {
    seen: `${path}/${FILL_FILE} in the mount namespace of pid ${pid}: ${f.fileBytes} bytes written until ENOSPC; filesystem ${f.fsBytes} bytes, ${f.freeBytes} free`,
    probe,
  };
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

/**
 * Tops the fill up while held. When it had to (the pod freed space), a fresh `probe` for
 * the status, so the agent's evidence is never older than its last fill; a line when it
 * failed.
 */
export async function topUp(c: Cluster, f: AppliedFault, node: string): Promise<{ failed?: string; probe?: DiskProbe }> {
  const pid = await pidFor(c, f, node);
  if (pid === undefined) return {};
  const r = await fillVolume(pid, f.path ?? '', f.maxBytes ?? 0).catch((err: unknown) => describeError(err));
  if (typeof r === 'string') return { failed: `topping up failed: ${r}` };
  return r.written > 0 ? { probe: await probeDir(volumeDir(pid, f.path ?? '')) } : {};
}

/**
 * Deletes the fill file: through a container of the pod (or its replacement) that mounts
 * the volume, else through the kubelet's mount of the PersistentVolume on the host (a
 * container that exited on ENOSPC has no mount namespace left). What was seen, whether
 * the volume is known clean, and a write made where it was freed (`probe`).
 */
export async function healDisk(c: Cluster, f: AppliedFault, node: string): Promise<{ clean: boolean; seen: string; probe?: DiskProbe }> {
  const where = `${f.path}/${FILL_FILE}`;
  const pid = await pidFor(c, f, node);
  const dirs = [
    ...(pid !== undefined ? [{ dir: volumeDir(pid, f.path ?? ''), how: `mount namespace of pid ${pid}` }] : []),
    ...(f.volume ? await hostVolumeDirs(f.podUid, f.volume) : []).map((dir) => ({ dir, how: `through the kubelet's mount ${dir}` })),
  ];
  for (const { dir, how } of dirs) {
    if (await freeDir(dir).catch(() => false)) return { clean: true, seen: `${where} removed (${how})`, probe: await probeDir(dir) };
  }
  return {
    clean: false,
    seen: `no process of pod ${f.pod ?? f.podUid} mounts ${f.path} on this node, nor could it be removed through the kubelet's mount of ${f.volume || 'its volume'}: ${where} may be left`,
  };
}
