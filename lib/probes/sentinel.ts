// The storage-state probe: before chaos, write a fresh random token into each pod's
// volume and fsync it; after chaos, read it back through the recreated pod.
import { createHash, randomBytes } from 'node:crypto';
import { SENTINEL_FILE } from '../workloads/common.ts';
import type { SentinelRecord } from './records.ts';
import { describeError } from '../errors.ts';
import { readFileIn, type ExecFn } from './exec.ts';

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

export async function writeSentinel(exec: ExecFn, pod: string, container: string, dataPath: string): Promise<SentinelRecord> {
  const token = randomBytes(32).toString('hex');
  const path = `${dataPath}/${SENTINEL_FILE}`;
  // Write to a temp file, fsync (busybox sync), rename, fsync again: the token is
  // durable before the harness records it as written, as Jepsen would insist.
  const script = `printf %s "$1" > "$2.tmp" && sync && mv "$2.tmp" "$2" && sync && cat "$2"`;
  const r = await exec(pod, container, ['sh', '-c', script, 'sentinel', token, path]);
  if (r.exitCode !== 0 || r.stdout !== token) {
    throw new Error(`writing the sentinel ${path} in pod ${pod} failed (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return { pod, path, token, sha256: sha256(token), bytes: Buffer.byteLength(token) };
}

/** Reads the token back; a transport failure is recorded `unobserved`, a missing file is not. */
export async function readSentinel(exec: ExecFn, pod: string, container: string, dataPath: string): Promise<SentinelRecord> {
  const path = `${dataPath}/${SENTINEL_FILE}`;
  const { data, error, unobserved } = await readFileIn(exec, pod, container, path);
  if (data === undefined) return { pod, path, sha256: '', bytes: 0, error: error ?? 'no data', ...(unobserved ? { unobserved } : {}) };
  return { pod, path, token: data, sha256: sha256(data), bytes: Buffer.byteLength(data) };
}

/** The hostname the container reports, or why it could not be learned (exec failure or non-zero exit). */
export async function hostnameIn(exec: ExecFn, pod: string, container: string): Promise<{ hostname?: string; error?: string }> {
  try {
    const r = await exec(pod, container, ['hostname']);
    if (r.exitCode !== 0) return { error: `hostname exited ${r.exitCode}: ${(r.stderr || r.stdout).trim()}` };
    return { hostname: r.stdout.trim() };
  } catch (err) {
    return { error: describeError(err) };
  }
}
