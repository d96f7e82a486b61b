// Figures over many runs of one workload (bench/figures.ts reads them from disk): per
// disruption kind, kill → Ready, how long pods refused writes, what happened to the
// writes sent to a disrupted pod, and how long after Ready the first write was
// acknowledged again. Pure: a run is its results.json plus, when present, its
// timeline.json (the CheckInput, with every write), which the per-write figures need.
import { nearestRank } from '../lib/percentile.ts';
import { classifyWrites } from '../lib/traffic/classify.ts';
import type { WriteRecord } from '../lib/traffic/records.ts';
import { inOrder, isPodEntry, isReady, presentState } from '../lib/timeline/queries.ts';
import type { CheckInput } from '../lib/checks/api.ts';
import type { RoundResult } from '../lib/model.ts';
import type { RunResult } from '../lib/run/results-schema.ts';
import type { TimelineEntry } from '../lib/timeline/entries.ts';

export interface RunData {
  results: RunResult;
  input?: CheckInput;
}

/** A distribution by nearest rank (values actually observed), ms unless named otherwise. */
export interface Dist {
  n: number;
  min?: number;
  p50?: number;
  p95?: number;
  max?: number;
}

export function dist(values: readonly number[], decimals = 0): Dist {
  if (values.length === 0) return { n: 0 };
  const f = 10 ** decimals;
  const r = (v: number | undefined): number | undefined => (v === undefined ? undefined : Math.round(v * f) / f);
  return {
    n: values.length,
    min: r(Math.min(...values)),
    p50: r(nearestRank(values, 50)),
    p95: r(nearestRank(values, 95)),
    max: r(Math.max(...values)),
  };
}

/** `none`: writes to a pod in a round that did not disrupt it. */
export const UNDISRUPTED = 'none';

export interface KindFigures {
  disruption: string;
  /** Disruptions applied (refused ones counted apart). */
  killed: number;
  refused: number;
  recovered: number;
  /** Kill → Ready (Ready again, after a restart in place). */
  readyMs: Dist;
  /** Each interval a pod disrupted this way acknowledged no write (results.json intervals). */
  unavailableMs: Dist;
  /** Intervals still open when traffic stopped (their length is a lower bound). */
  openIntervals: number;
  /**
   * Of each unavailable interval, the time the API showed the pod Ready (timeline.json):
   * unavailability the pod's own state does not explain (DNS, endpoints, the client).
   */
  unavailableWhileReadyMs: Dist;
  /** The pod's Ready moment → the first write to it acknowledged after it (timeline.json). */
  readyToAckMs: Dist;
  /** Failed writes sent to the pod between its Ready moment and that first acknowledgement, by cause. */
  failuresAfterReady: Record<string, number>;
  /** Writes sent to the pod during the rounds it was disrupted this way (timeline.json). */
  writes?: { sent: number; acked: number; lost: number; indeterminate: number; failed: number };
  /** Acknowledged writes per second to one such pod over those rounds. */
  ackedPerPodSecond?: number;
}

export interface WorkloadFigures {
  workload: string;
  runs: number;
  verdicts: { passed: number; failed: number; error: number };
  seeds: number[];
  kinds: KindFigures[];
  /** A round with a node-fault, round-start to round-end. */
  nodeFaultRoundMs: Dist;
  /** Per run: acknowledged writes per second over the whole traffic window. */
  ackedPerSecond: Dist;
  offeredPerSecond?: number;
  writes: { sent: number; acked: number; lost: number; indeterminate: number; failed: number };
}

const verdict = (r: RunResult): 'passed' | 'failed' | 'error' =>
  r.checks.some((c) => c.status === 'failed') ? 'failed' : r.error || r.checks.some((c) => c.status === 'error') ? 'error' : 'passed';

/** The disruption pod `pod` got in the round that contains `t`, or UNDISRUPTED (or undefined outside every round). */
function kindAt(rounds: readonly RoundResult[], pod: string, t: number): string | undefined {
  const r = rounds.filter((x) => x.startedAt <= t).at(-1);
  if (!r || t > r.endedAt) return undefined;
  return r.plan.kills.find((k) => k.pod === pod)?.action ?? UNDISRUPTED;
}

/** A failed write's cause in a few words (the driver's detail is free text). */
export function failureCause(detail: string | undefined): string {
  const d = (detail ?? '').toLowerCase();
  if (d === '') return 'no detail';
  if (d.includes('no dns answer') || d.includes('no such host') || d.includes('nxdomain')) return 'DNS: no answer';
  if (d.includes('refused')) return 'connection refused';
  // `timeout 1 …` kills the step with SIGTERM; busybox sh prints "Terminated".
  if (d.includes('timed out') || d.includes('timeout') || d.includes('deadline') || d.startsWith('terminated')) return 'timeout';
  if (d.includes('no route') || d.includes('unreachable')) return 'unreachable';
  if (d.includes('leader') || d.includes('unavailable')) return 'etcd: no leader / unavailable';
  return d.split(/\s+/).slice(0, 4).join(' ');
}

interface Acc {
  killed: number;
  refused: number;
  recovered: number;
  ready: number[];
  unavailable: number[];
  open: number;
  readyToAck: number[];
  whileReady: number[];
  failures: Record<string, number>;
  writes?: { sent: number; acked: number; lost: number; indeterminate: number; failed: number };
  podMs: number;
}

const newAcc = (): Acc => ({
  killed: 0,
  refused: 0,
  recovered: 0,
  ready: [],
  unavailable: [],
  open: 0,
  readyToAck: [],
  whileReady: [],
  failures: {},
  podMs: 0,
});

export function aggregate(workload: string, runs: readonly RunData[]): WorkloadFigures {
  const acc = new Map<string, Acc>();
  const get = (k: string): Acc => acc.get(k) ?? (acc.set(k, newAcc()).get(k) as Acc);
  const nodeFault: number[] = [];
  const throughput: number[] = [];
  const writes = { sent: 0, acked: 0, lost: 0, indeterminate: 0, failed: 0 };
  const verdicts = { passed: 0, failed: 0, error: 0 };
  let offered: number | undefined;
  for (const { results, input } of runs) {
    verdicts[verdict(results)]++;
    for (const round of results.rounds) {
      if (round.plan.kills.some((k) => k.action === 'node-fault')) nodeFault.push(round.endedAt - round.startedAt);
      for (const rec of round.recoveries) {
        const a = get(rec.action);
        if (rec.expect === 'refused') a.refused++;
        else a.killed++;
        if (rec.expect !== 'refused' && rec.recovered) a.recovered++;
        if (rec.expect !== 'refused' && rec.recovered && typeof rec.readyMs === 'number') a.ready.push(rec.readyMs);
      }
    }
    const t = results.traffic;
    if (t) {
      offered ??= t.ratePerSecond;
      for (const u of t.availability.intervals) {
        const a = get(u.action ?? UNDISRUPTED);
        a.unavailable.push(u.toMs - u.fromMs);
        if (u.open) a.open++;
      }
      const span = (t.stoppedMs ?? 0) - (t.startedMs ?? 0);
      if (span > 0) throughput.push((t.counts.acked / span) * 1000);
      writes.sent += t.counts.sent;
      writes.acked += t.counts.acked;
      writes.lost += t.counts.lost;
      writes.indeterminate += t.counts.indeterminate;
      writes.failed += t.counts.failedWrites;
    }
    if (input?.traffic) {
      perWrite(results, input.traffic.writes, input.traffic.readBack, get);
      const spans = readySpans(inOrder(input.timeline));
      for (const u of results.traffic?.availability.intervals ?? [])
        get(u.action ?? UNDISRUPTED).whileReady.push(overlap(spans.get(u.pod) ?? [], u.fromMs, u.toMs));
    }
  }
  const kinds = [...acc].map(
    ([disruption, a]): KindFigures => ({
      disruption,
      killed: a.killed,
      refused: a.refused,
      recovered: a.recovered,
      readyMs: dist(a.ready),
      unavailableMs: dist(a.unavailable),
      openIntervals: a.open,
      unavailableWhileReadyMs: dist(a.whileReady),
      readyToAckMs: dist(a.readyToAck),
      failuresAfterReady: a.failures,
      ...(a.writes ? { writes: a.writes } : {}),
      ...(a.writes && a.podMs > 0 ? { ackedPerPodSecond: Math.round((a.writes.acked / a.podMs) * 10_000) / 10 } : {}),
    }),
  );
  const out: WorkloadFigures = {
    workload,
    runs: runs.length,
    verdicts,
    seeds: runs.map((r) => r.results.seed),
    kinds: kinds.sort((x, y) =>
      x.disruption === UNDISRUPTED ? 1 : y.disruption === UNDISRUPTED ? -1 : x.disruption.localeCompare(y.disruption),
    ),
    nodeFaultRoundMs: dist(nodeFault),
    ackedPerSecond: dist(throughput, 1),
    writes,
  };
  if (offered !== undefined) out.offeredPerSecond = offered;
  return out;
}

/** Per pod, the run-ms spans in which the API showed it Ready (isReady: Running, Ready, not terminating). */
export function readySpans(entries: readonly TimelineEntry[]): Map<string, [number, number][]> {
  const out = new Map<string, [number, number][]>();
  const since = new Map<string, number>();
  for (const e of entries) {
    if (!isPodEntry(e)) continue;
    const ready = isReady(presentState(e));
    const from = since.get(e.name);
    if (ready && from === undefined) since.set(e.name, e.t);
    if (!ready && from !== undefined) {
      out.set(e.name, [...(out.get(e.name) ?? []), [from, e.t]]);
      since.delete(e.name);
    }
  }
  for (const [pod, from] of since) out.set(pod, [...(out.get(pod) ?? []), [from, Number.POSITIVE_INFINITY]]);
  return out;
}

const overlap = (spans: readonly [number, number][], from: number, to: number): number =>
  Math.round(spans.reduce((sum, [a, b]) => sum + Math.max(0, Math.min(b, to) - Math.max(a, from)), 0));

/** Per-write figures of one run: writes by the kind their pod got in that round, and Ready → first ack. */
function perWrite(
  results: RunResult,
  ws: readonly WriteRecord[],
  readBack: Parameters<typeof classifyWrites>[1],
  get: (k: string) => Acc,
): void {
  const cls = new Map(classifyWrites(ws, readBack).keys.map((k) => [`${k.store}\n${k.key}`, k.class]));
  for (const w of ws) {
    const kind = kindAt(results.rounds, w.pod, w.sentMs);
    if (kind === undefined) continue;
    const a = get(kind);
    a.writes ??= { sent: 0, acked: 0, lost: 0, indeterminate: 0, failed: 0 };
    a.writes.sent++;
    if (w.outcome === 'acked') a.writes.acked++;
    const c = cls.get(`${w.store}\n${w.key}`);
    if (c === 'lost') a.writes.lost++;
    else if (c === 'indeterminate') a.writes.indeterminate++;
    else if (c === 'failed-write' || (c === undefined && w.outcome !== 'acked')) a.writes.failed++;
  }
  const pods = new Set(ws.map((w) => w.pod));
  for (const round of results.rounds) {
    for (const pod of pods)
      get(round.plan.kills.find((k) => k.pod === pod)?.action ?? UNDISRUPTED).podMs += round.endedAt - round.startedAt;
    for (const rec of round.recoveries) {
      if (rec.expect === 'refused' || typeof rec.readyMs !== 'number') continue;
      const readyAt = rec.killedAt + rec.readyMs;
      const mine = ws.filter((w) => w.pod === rec.pod).sort((x, y) => x.sentMs - y.sentMs);
      const ack = mine.find((w) => w.sentMs >= readyAt && w.outcome === 'acked');
      if (!ack) continue;
      const a = get(rec.action);
      a.readyToAck.push(ack.sentMs - readyAt);
      for (const w of mine) {
        if (w.sentMs < readyAt || w.sentMs >= ack.sentMs || w.outcome === 'acked') continue;
        const cause = failureCause(w.detail);
        a.failures[cause] = (a.failures[cause] ?? 0) + 1;
      }
    }
  }
}
