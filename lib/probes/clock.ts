// Measures a kernel's wall clock against the harness's through a pod running on it, the
// way NTP does: the pod prints its boot id and `date +%s%N`, the harness brackets the
// exec with its own clock, and the offset is the pod's time minus the bracket's
// midpoint, uncertain by half the bracket. STS-AT-MOST-ONE uses it to compare writers on
// different kernels; on one kernel it still gives an honest figure (~0 ± the exec).
import type { ClockReading } from './records.ts';
import { describeError } from '../errors.ts';
import type { ExecFn } from './exec.ts';
import { wallMs } from './heartbeat.ts';

export type ClockRead = { reading: ClockReading } | { error: string };

/** `now` is the harness's wall clock, `runMs` turns a wall time into run ms. */
export async function readClock(
  exec: ExecFn,
  pod: string,
  node: string,
  container: string,
  clock: { now: () => number; runMs: (wall: number) => number } = { now: Date.now, runMs: (w) => w },
): Promise<ClockRead> {
  const before = clock.now();
  let out: string;
  try {
    const r = await exec(pod, container, ['sh', '-c', 'cat /proc/sys/kernel/random/boot_id; date +%s%N']);
    if (r.exitCode !== 0) return { error: `clock read in ${pod} exited ${r.exitCode}: ${r.stderr.trim()}` };
    out = r.stdout;
  } catch (err) {
    return { error: `clock read in ${pod}: ${describeError(err)}` };
  }
  const after = clock.now();
  return parseClock(out, pod, node, before, after, clock.runMs);
}

export function parseClock(
  stdout: string,
  pod: string,
  node: string,
  before: number,
  after: number,
  runMs: (wall: number) => number,
): ClockRead {
  const [bootId, date] = stdout
    .trim()
    .split('\n')
    .map((l) => l.trim());
  const podMs = wallMs(date);
  if (!bootId || podMs === undefined) return { error: `clock read in ${pod}: unexpected output ${JSON.stringify(stdout.slice(0, 120))}` };
  const mid = (before + after) / 2;
  // Without %N the pod's time is truncated to the second: up to 1000 ms late.
  const coarse = /^\d{13,}/.test(date ?? '') ? 0 : 1000;
  return {
    reading: {
      pod,
      node,
      bootId,
      offsetMs: Math.round(podMs + coarse / 2 - mid),
      uncertaintyMs: Math.ceil((after - before) / 2 + coarse / 2),
      t: Math.round(runMs(mid)),
    },
  };
}
