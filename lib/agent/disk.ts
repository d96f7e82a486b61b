// The node side of `disk-full`: filling a pod's volume from inside the pod's own mount
// namespace (through /proc/<pid>/root of a container that mounts it, which the agent's
// hostPID and privileges allow) until writes fail with ENOSPC, and freeing it by deleting
// the one fill file. Never fills a filesystem larger than the request allows: a volume
// that does not enforce its claim's capacity is the node's disk.
import { open, readdir, readFile, rm, stat, statfs } from 'node:fs/promises';
import { cgroupMatches } from './request.ts';
import { startTime } from './node.ts';
import { type DiskProbe, FILL_FILE, PROBE_FILE } from './disk-request.ts';

export { FILL_FILE };
const BIG = 1024 * 1024;
const SMALL = 4096;
/** Rounds of write-until-ENOSPC then fsync: ext4 frees delayed-allocation reservations at writeback, so one round can leave a few blocks. */
const ROUNDS = 6;

/** Mount points in a /proc/<pid>/mountinfo (field 5, octal escapes undone), as the process sees them. */
export function mountPoints(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => m !== undefined && m.length > 0)
    .map((m) => m.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(Number.parseInt(o, 8))));
}

/**
 * The oldest process of the pod that has a mount at `path` in its mount namespace (a
 * container's init that mounts the volume; the pause process has no such mount), or
 * undefined when none runs on this node.
 */
export async function volumePid(podUid: string, path: string, proc = '/proc'): Promise<number | undefined> {
  let best: { pid: number; start: number } | undefined;
  for (const entry of await readdir(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    const cgroup = await readFile(`${proc}/${entry}/cgroup`, 'utf8').catch(() => '');
    if (!cgroup || !cgroupMatches(cgroup, podUid)) continue;
    const mounts = await readFile(`${proc}/${entry}/mountinfo`, 'utf8').catch(() => '');
    if (!mountPoints(mounts).includes(path)) continue;
    const start = startTime(await readFile(`${proc}/${entry}/stat`, 'utf8').catch(() => ''));
    if (start === undefined) continue;
    if (!best || start < best.start) best = { pid: Number(entry), start };
  }
  return best?.pid;
}

export const volumeDir = (pid: number, path: string, proc = '/proc'): string => `${proc}/${pid}/root${path}`;

export interface Fill {
  /** Bytes of the filesystem (blocks × block size), bytes in the fill file, bytes still available to unprivileged writers. */
  fsBytes: number;
  fileBytes: number;
  freeBytes: number;
  /** Bytes this call added (0 when the volume was still full). */
  written: number;
}

/**
 * Writes the fill file until a write fails with ENOSPC (appending to what is there: a hold
 * tops it up when the pod freed space). Throws, leaving no fill file, when the filesystem
 * is larger than `maxBytes` or `maxBytes` are written without ENOSPC.
 */
export async function fillVolume(pid: number, path: string, maxBytes: number, proc = '/proc'): Promise<Fill> {
  const dir = volumeDir(pid, path, proc);
  const fs = await statfs(dir);
  const fsBytes = fs.blocks * fs.bsize;
  if (fsBytes > maxBytes)
    throw new Error(
      `the filesystem at ${path} (pid ${pid}) holds ${fsBytes} bytes, more than the ${maxBytes} its claim allows: it does not enforce the claim's capacity, so it is not filled`,
    );
  const file = `${dir}/${FILL_FILE}`;
  const fh = await open(file, 'a');
  let full = false;
  let start = 0;
  let size = 0;
  try {
    size = (await fh.stat()).size;
    start = size;
    for (let round = 0; round < ROUNDS; round++) {
      const before = size;
      const r = await writeUntilFull((b) => fh.write(b), maxBytes - size);
      size += r.written;
      full = r.full;
      await fh.sync().catch(() => undefined);
      // Full and nothing more went in after a writeback: the volume is full.
      if (!full || (round > 0 && size === before)) break;
    }
  } finally {
    await fh.close();
  }
  if (!full) {
    await rm(file, { force: true });
    throw new Error(
      `wrote ${maxBytes} bytes to ${path} (pid ${pid}) without ENOSPC: the volume does not enforce its capacity; fill file removed`,
    );
  }
  const after = await statfs(dir);
  return { fsBytes, fileBytes: (await stat(file)).size, freeBytes: after.bavail * after.bsize, written: size - start };
}

/** Writes zeros through `write` until ENOSPC (full) or `budget` bytes (not full). Other errors throw. */
export async function writeUntilFull(
  write: (b: Buffer) => Promise<{ bytesWritten: number }>,
  budget: number,
): Promise<{ written: number; full: boolean }> {
  let written = 0;
  let chunk = BIG;
  while (written < budget) {
    const b = Buffer.alloc(Math.min(chunk, budget - written));
    try {
      const { bytesWritten } = await write(b);
      written += bytesWritten;
      if (bytesWritten < b.length) chunk = SMALL;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      if (chunk === SMALL) return { written, full: true };
      chunk = SMALL;
    }
  }
  return { written, full: false };
}

/**
 * The kubelet's mounts of the pod's volume, as the host's mount namespace (PID 1's) lists
 * them: `<kubelet root>/pods/<uid>/volumes/<plugin>/<pv>`, or `…/<pv>/mount` for CSI; the
 * pod's own first, then any other pod's mount of the same PersistentVolume (a replacement
 * mounts it under its own UID: a rolling update can replace the pod during the fault, and
 * the replacement crash-loops on the full volume too). For each, the ways to reach it,
 * best first: through the /proc/<pid>/root of processes that have that mount (PID 1's own
 * root can be refused, as on the VMs the local cluster runs on), then the path itself (an
 * agent run on the host). The way to the fill file when no container of the pod runs
 * (etcd exits on ENOSPC and waits in CrashLoopBackOff, so the container's mount namespace
 * is gone).
 */
export async function hostVolumeDirs(podUid: string, pvName: string, proc = '/proc'): Promise<string[]> {
  const info = await readFile(`${proc}/1/mountinfo`, 'utf8').catch(() => '');
  const own = `/pods/${podUid.replace(/[^0-9a-f-]/g, '')}/volumes/`;
  const tail = new RegExp(`/pods/[0-9a-f-]+/volumes/[^/]+/${pvName.replace(/[^a-z0-9.-]/g, '')}(/mount)?$`);
  const found = mountPoints(info).filter((p) => tail.test(p));
  const mounts = [...found.filter((m) => m.includes(own)), ...found.filter((m) => !m.includes(own))];
  if (mounts.length === 0) return [];
  const holders = new Map<string, string[]>(mounts.map((m) => [m, []]));
  for (const entry of await readdir(proc)) {
    if (!/^\d+$/.test(entry) || [...holders.values()].every((h) => h.length >= 3)) continue;
    const seen = mountPoints(await readFile(`${proc}/${entry}/mountinfo`, 'utf8').catch(() => ''));
    for (const [m, h] of holders) if (h.length < 3 && seen.includes(m)) h.push(`${proc}/${entry}/root${m}`);
  }
  return mounts.flatMap((m) => [...(holders.get(m) ?? []), m]);
}

/**
 * The agent's own look at the volume mounted at `dir`, as the probe in the pod takes it (a
 * 4 KiB write, synced, then removed): the evidence the harness falls back on when the
 * pod's container cannot be entered, because a database that exits on ENOSPC waits in
 * CrashLoopBackOff between its restarts. Never throws: an error is the write's outcome.
 */
export async function probeDir(dir: string): Promise<DiskProbe> {
  const kib = (f: { bsize: number } | undefined, blocks: number | undefined) =>
    f && blocks !== undefined ? { v: Math.floor((blocks * f.bsize) / 1024) } : undefined;
  const before = await statfs(dir).catch(() => undefined);
  const probe = `${dir}/${PROBE_FILE}`;
  let message = '';
  try {
    const fh = await open(probe, 'w');
    try {
      await fh.write(Buffer.alloc(SMALL));
      await fh.sync();
    } finally {
      await fh.close().catch(() => undefined);
    }
  } catch (err) {
    message = (err as Error).message || String(err);
  }
  await rm(probe, { force: true }).catch(() => undefined);
  const after = await statfs(dir).catch(() => undefined);
  const fill = await stat(`${dir}/${FILL_FILE}`).then(
    () => true,
    () => false,
  );
  const size = kib(before, before?.blocks);
  const avail = kib(after, after?.bavail);
  return { rc: message ? 1 : 0, message, fill, ...(size ? { sizeKiB: size.v } : {}), ...(avail ? { availKiB: avail.v } : {}) };
}

/** Deletes the fill file through the pod's process `pid`; true when none is left, false when the volume cannot be reached that way. */
export async function freeVolume(pid: number, path: string, proc = '/proc'): Promise<boolean> {
  return freeDir(volumeDir(pid, path, proc));
}

/** Deletes the fill file in the volume mounted at `dir`; true when none is left, false when `dir` is no directory. */
export async function freeDir(dir: string): Promise<boolean> {
  if (
    !(await stat(dir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    return false;
  const file = `${dir}/${FILL_FILE}`;
  await rm(file, { force: true });
  return stat(file).then(
    () => false,
    () => true,
  );
}
