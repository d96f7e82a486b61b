// Reads a volume's heartbeat file (lib/workloads/heartbeat.ts) through the pod that
// mounts it now, and folds its lines into one summary per writer (pod UID + container
// start). Never throws: trouble is recorded and STS-AT-MOST-ONE turns it into `error`.
import type { HeartbeatRecord, HeartbeatWriter } from './records.ts';
import { readFileIn, type ExecFn } from './exec.ts';

export async function readHeartbeats(exec: ExecFn, pod: string, container: string, path: string): Promise<HeartbeatRecord> {
  const r = await readFileIn(exec, pod, container, path);
  if (r.data === undefined)
    return { pod, path, writers: [], error: r.error ?? 'no data', ...(r.unobserved ? { unobserved: r.unobserved } : {}) };
  return { pod, path, ...parseHeartbeats(r.data) };
}

/** `date +%s%N` gives ns; a busybox without %N prints seconds followed by a literal "%N". */
export function wallMs(text: string | undefined): number | undefined {
  const digits = /^\d+/.exec(text ?? '')?.[0];
  if (!digits) return undefined;
  // ns: drop the last 6 digits as text (the full number is past 2^53).
  return digits.length > 12 ? Number(digits.slice(0, -6)) : Number(digits) * 1000;
}

const NUMBER = /^\d+(\.\d+)?$/;

export function parseHeartbeats(text: string): { writers: HeartbeatWriter[]; badLines?: number } {
  const writers = new Map<string, HeartbeatWriter>();
  let bad = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const fields = line.trim().split(/\s+/);
    const [tag, uid, start, bootId, uptime, wall] = fields;
    const up = Number(uptime);
    // Strictly the writer's format: a line torn by a full disk or a kill, with the next
    // one appended to it, would otherwise read the next line's UID as a boot id.
    if (
      fields.length !== 6 ||
      tag !== 'hb' ||
      !uid ||
      !bootId ||
      start === undefined ||
      !NUMBER.test(start) ||
      !NUMBER.test(uptime ?? '') ||
      !Number.isFinite(up) ||
      !/^\d+(%N)?$/.test(wall ?? '')
    ) {
      bad++;
      continue;
    }
    const ms = Math.round(up * 1000);
    const w = wallMs(wall);
    const coarse = w !== undefined && !/^\d{13,}/.test(wall ?? '');
    const key = `${uid} ${start} ${bootId}`;
    const cur = writers.get(key);
    if (!cur) {
      writers.set(key, {
        uid,
        start,
        bootId,
        beats: 1,
        firstUptimeMs: ms,
        lastUptimeMs: ms,
        ...(w !== undefined ? { firstWallMs: w, lastWallMs: w } : {}),
        ...(coarse ? { coarseWall: true as const } : {}),
      });
      continue;
    }
    cur.beats++;
    cur.firstUptimeMs = Math.min(cur.firstUptimeMs, ms);
    cur.lastUptimeMs = Math.max(cur.lastUptimeMs, ms);
    if (coarse) cur.coarseWall = true;
    if (w !== undefined) {
      cur.firstWallMs = Math.min(cur.firstWallMs ?? w, w);
      cur.lastWallMs = Math.max(cur.lastWallMs ?? w, w);
    }
  }
  return { writers: [...writers.values()], ...(bad > 0 ? { badLines: bad } : {}) };
}
