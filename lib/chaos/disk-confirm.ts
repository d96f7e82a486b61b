// Confirmation of disk-full from inside the target, and the test that a volume enforces
// its capacity at all. The probe (busybox/GNU df and dd through exec) prints the
// filesystem's size as the pod sees it and the outcome of one 4 KiB synced write; the
// judging is pure.
import { type DiskProbe, FILL_FILE, PROBE_FILE } from '../agent/disk-request.ts';

/** The annotation a StorageClass carries when its volumes are filesystems of the claim's size (the local cluster's ordinal-fixed). */
export const ENFORCES_CAPACITY = 'ordinal.dev/enforces-capacity';
/** A filesystem this much larger than its claim's capacity is not the claim's. */
const SLACK = 1.05;

/** `path` has passed safeMountPath (lib/agent/disk-path.ts): plain names, no quotes to escape. */
export function diskProbeScript(path: string): string {
  return [
    `df -Pk '${path}' | tail -n 1`,
    `out=$(dd if=/dev/zero of='${path}/${PROBE_FILE}' bs=4096 count=1 conv=fsync 2>&1)`,
    'rc=$?',
    `rm -f '${path}/${PROBE_FILE}'`,
    "echo \"write $rc $(echo $out | tr '\\n' ' ')\"",
    `if [ -e '${path}/${FILL_FILE}' ]; then echo 'fill present'; else echo 'fill absent'; fi`,
  ].join('; ');
}

export function parseDiskProbe(stdout: string): DiskProbe | undefined {
  const lines = stdout.split('\n').map((l) => l.trim());
  const w = lines.find((l) => l.startsWith('write '));
  if (!w) return undefined;
  const [, rc = '', ...rest] = w.split(' ');
  const df = lines.find((l) => l.length > 0 && !l.startsWith('write ') && !l.startsWith('fill '))?.split(/\s+/);
  const num = (s: string | undefined): number | undefined => (s !== undefined && /^\d+$/.test(s) ? Number(s) : undefined);
  const sizeKiB = num(df?.[1]);
  const availKiB = num(df?.[3]);
  return {
    rc: Number(rc),
    message: rest.join(' ').trim(),
    fill: lines.includes('fill present'),
    ...(sizeKiB !== undefined ? { sizeKiB } : {}),
    ...(availKiB !== undefined ? { availKiB } : {}),
  };
}

const writeSaid = (p: DiskProbe): string => (p.rc === 0 ? 'the write succeeded' : `dd exit ${p.rc}: ${p.message || '(nothing said)'}`);

/** Why the probe does not show a full volume (the write failed with ENOSPC), or undefined when it does. */
export function fullProblem(p: DiskProbe): string | undefined {
  if (p.rc !== 0 && /no space left on device/i.test(p.message)) return undefined;
  return `a 4 KiB synced write ${p.rc === 0 ? 'still succeeded' : `failed, but not with ENOSPC (${writeSaid(p)})`}${p.availKiB !== undefined ? `; df says ${p.availKiB} KiB available` : ''}`;
}

/** Why the probe does not show a freed volume (no fill file, a write succeeds), or undefined when it does. */
export function freeProblem(p: DiskProbe): string | undefined {
  // Both: a write can succeed with the fill file still there when the database deleted files of its own.
  if (p.fill) return `${FILL_FILE} is still on the volume${p.rc === 0 ? '' : ` and a 4 KiB synced write failed (${writeSaid(p)})`}`;
  return p.rc === 0 ? undefined : `a 4 KiB synced write failed (${writeSaid(p)})`;
}

/** Why a filesystem of `sizeKiB` does not enforce a claim of `claimBytes`, or undefined when it does. */
export function capacityProblem(sizeKiB: number | undefined, claimBytes: number): string | undefined {
  if (sizeKiB === undefined) return 'df in the pod did not report the filesystem size';
  const fsBytes = sizeKiB * 1024;
  if (fsBytes <= claimBytes * SLACK) return undefined;
  return `the filesystem at the mount holds ${fsBytes} bytes but the claim is ${claimBytes}: it does not enforce the claim's capacity (filling it would fill the node's disk)`;
}

/** The bytes the agent may write at most: the claim's capacity with the same slack. */
export const maxFillBytes = (claimBytes: number): number => Math.floor(claimBytes * SLACK);

const UNITS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
};

/** A Kubernetes quantity (as claims and PVs carry it) in bytes, or undefined when it is not one. */
export function quantityBytes(q: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|k|M|G|T|P)?$/.exec(q ?? '');
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? ''] ?? 1));
}

/** Why a StorageClass's volumes cannot be trusted to enforce their capacity, or undefined when they can. */
export function classProblem(name: string, annotations: Readonly<Record<string, string>> | undefined): string | undefined {
  if (annotations?.[ENFORCES_CAPACITY] === 'true') return undefined;
  return `storage class ${name} does not say its volumes enforce their capacity (annotation ${ENFORCES_CAPACITY}: "true"), so a full volume could be the node's own disk; on the local cluster use --storage-class ordinal-fixed`;
}
