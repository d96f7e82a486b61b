// The disk-full part of the fault request contract (lib/agent/request.ts), shared by the
// harness and the agent: the fill file's name, which mount paths a request may name, and
// the request's disk-full fields (the volume's mount path in the pod and the most bytes
// its filesystem may hold: the claim's capacity, with a little slack, which the agent
// checks before writing anything). Pure; imports nothing, so request.ts can use it.

/** The one file disk-full writes, at the top of the volume. */
export const FILL_FILE = '.ordinal-fill';
/** The probe's own file, next to the fill file, removed by whoever wrote it (the probe in the pod, or the agent). */
export const PROBE_FILE = '.ordinal-probe';

/**
 * One look at the volume: its size as seen from the pod (or, by the agent, from the pod's
 * mount), and the outcome of one 4 KiB synced write. Made by the harness's probe inside the
 * pod and, right after each fill and free, by the agent on the same filesystem.
 */
export interface DiskProbe {
  /** The filesystem's size and free space in KiB. */
  sizeKiB?: number;
  availKiB?: number;
  /** The write's exit status (0: written) and what it said (empty on success). */
  rc: number;
  message: string;
  /** Whether the fill file was there. */
  fill: boolean;
}

/** A plain absolute path, not `/`: the request's text becomes a path under /proc/<pid>/root, so nothing that climbs out. */
export function safeMountPath(path: string): boolean {
  return /^\/[A-Za-z0-9._/-]*$/.test(path) && path !== '/' && !path.split('/').some((p) => p === '..' || p === '.');
}

/** A disk-full request's spec (a FaultSpec with its disk fields set). */
export interface DiskFullSpec {
  fault: 'disk-full';
  pod: string;
  podUid: string;
  peers: string[];
  path: string;
  maxBytes: number;
  /** The claim's PersistentVolume: the agent frees through the kubelet's mount of it when no container of the pod runs. */
  volume: string;
  expires: number;
  heal: boolean;
}

export function parseDiskFullSpec(d: Readonly<Record<string, string>>): DiskFullSpec | string {
  if (!d.pod || !d.podUid) return 'no pod or podUid';
  const path = d.path ?? '';
  if (!safeMountPath(path)) return `path must be an absolute mount path of plain names, got "${path}"`;
  const maxBytes = Number(d.maxBytes);
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0) return `maxBytes is not a positive byte count: ${d.maxBytes ?? '(none)'}`;
  const volume = d.volume ?? '';
  if (!/^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/.test(volume)) return `volume must be a PersistentVolume name, got "${volume}"`;
  const expires = Number(d.expires);
  if (!Number.isFinite(expires) || expires <= 0) return `expires is not a wall-clock ms time: ${d.expires ?? '(none)'}`;
  return { fault: 'disk-full', pod: d.pod, podUid: d.podUid, peers: [], path, maxBytes, volume, expires, heal: d.heal === 'true' };
}
