// One run reduced to the raw numbers the figure tables need (bench/figures-data.ts merges
// them): per disruption kind the individual kill → Ready times, unavailable intervals and
// write counts, plus the run's verdict. This is what bench/results/ keeps per run: small,
// no timeline, yet every aggregate and table can be recomputed from it exactly.
import { classifyWrites } from '../lib/traffic/classify.ts';
import type { WriteRecord } from '../lib/traffic/records.ts';
import { inOrder, isPodEntry, isReady, presentState } from '../lib/timeline/queries.ts';
import type { CheckInput } from '../lib/checks/api.ts';
import type { RoundResult } from '../lib/model.ts';
import type { RunResult } from '../lib/run/results-schema.ts';
import type { TimelineEntry } from '../lib/timeline/entries.ts';
import { type FaultRaw, faultRaw } from './figures-faults.ts';

export interface RunData {
  results: RunResult;
  input?: CheckInput;
}

export type Verdict = 'passed' | 'failed' | 'error';
export interface WriteCounts {
  sent: number;
  acked: number;
  lost: number;
  indeterminate: number;
  failed: number;
}

/** `none`: writes to a pod in a round that did not disrupt it. */
export const UNDISRUPTED = 'none';
/** Writes sent before the first round or between rounds: the rows of the write table sum to the run's totals. */
export const OUTSIDE = 'outside any round';

/** One run's raw numbers for one disruption kind (whole ms unless named otherwise: sub-ms digits are noise here). */
export interface KindRaw {
  killed: number;
  refused: number;
  recovered: number;
  ready: number[];
  unavailable: number[];
  open: number;
  readyToAck: number[];
  whileReady: number[];
  failures: Record<string, number>;
  writes?: WriteCounts;
  /** Pod-ms of rounds in which a pod got this kind (the denominator of acked/s per pod). */
  podMs: number;
}

/** One run as bench/results/<date>/<name>/runs/<run-id>.json keeps it. */
export interface RunFigures {
  runId: string;
  seed: number;
  startedAt: string;
  finishedAt: string;
  verdict: Verdict;
  /** The checks that failed or erred, and the run's own error, in one line each. */
  problems: string[];
  setup: { tool: string; kubernetes: string; nodes: number; replicas: number; rounds: number; chaos: string[] };
  kinds: Record<string, KindRaw>;
  nodeFaultRoundMs: number[];
  /** The node agent's faults by kind (bench/figures-faults.ts); absent when the run held none. */
  faults?: Record<string, FaultRaw>;
  /** Acknowledged writes per second over the traffic window. */
  ackedPerSecond?: number;
  offeredPerSecond?: number;
  writes: WriteCounts;
}

export const verdictOf = (r: RunResult): Verdict =>
  r.checks.some((c) => c.status === 'failed') ? 'failed' : r.error || r.checks.some((c) => c.status === 'error') ? 'error' : 'passed';

const newKind = (): KindRaw => ({
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

const oneLine = (s: string): string => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
};

export function runFigures({ results, input }: RunData): RunFigures {
  const kinds: Record<string, KindRaw> = {};
  const get = (k: string): KindRaw => {
    kinds[k] ??= newKind();
    return kinds[k];
  };
  const nodeFaultRoundMs: number[] = [];
  for (const round of results.rounds) {
    if (round.plan.kills.some((k) => k.action === 'node-fault')) nodeFaultRoundMs.push(Math.round(round.endedAt - round.startedAt));
    for (const rec of round.recoveries) {
      const a = get(rec.action);
      if (rec.expect === 'refused') a.refused++;
      else a.killed++;
      if (rec.expect !== 'refused' && rec.recovered) a.recovered++;
      if (rec.expect !== 'refused' && rec.recovered && typeof rec.readyMs === 'number') a.ready.push(Math.round(rec.readyMs));
    }
  }
  const writes: WriteCounts = { sent: 0, acked: 0, lost: 0, indeterminate: 0, failed: 0 };
  const out: RunFigures = {
    runId: results.runId,
    seed: results.seed,
    startedAt: results.startedAt,
    finishedAt: results.finishedAt,
    verdict: verdictOf(results),
    problems: [
      ...(results.error ? [oneLine(`run error: ${results.error.message}`)] : []),
      ...results.checks
        .filter((c) => c.status === 'failed' || c.status === 'error')
        .map((c) => oneLine(`${c.id} ${c.status}: ${c.message}`)),
    ],
    setup: {
      tool: results.tool.version,
      kubernetes: results.cluster.version,
      nodes: results.cluster.nodes.length,
      replicas: results.workload.replicas,
      rounds: results.options.rounds,
      chaos: results.options.chaos ?? ['delete', 'force-delete'],
    },
    kinds,
    nodeFaultRoundMs,
    writes,
  };
  const faults = faultRaw(results);
  if (faults) out.faults = faults;
  const t = results.traffic;
  if (t) {
    out.offeredPerSecond = t.ratePerSecond;
    for (const u of t.availability.intervals) {
      const a = get(u.action ?? UNDISRUPTED);
      a.unavailable.push(Math.round(u.toMs - u.fromMs));
      if (u.open) a.open++;
    }
    const span = (t.stoppedMs ?? 0) - (t.startedMs ?? 0);
    if (span > 0) out.ackedPerSecond = Math.round((t.counts.acked / span) * 1_000_000) / 1000;
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
  return out;
}

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
  get: (k: string) => KindRaw,
): void {
  // Classified as the run's totals are (summarizeTraffic): a write another pod answered is looked for in that pod's store.
  const storeOf = new Map(ws.map((w) => [w.pod, w.store]));
  const cls = new Map(classifyWrites(ws, readBack, (pod) => storeOf.get(pod) ?? pod).keys.map((k) => [k.key, k.class]));
  for (const w of ws) {
    const a = get(kindAt(results.rounds, w.pod, w.sentMs) ?? OUTSIDE);
    a.writes ??= { sent: 0, acked: 0, lost: 0, indeterminate: 0, failed: 0 };
    a.writes.sent++;
    if (w.outcome === 'acked') a.writes.acked++;
    const c = cls.get(w.key);
    if (c === 'lost') a.writes.lost++;
    else if (c === 'indeterminate') a.writes.indeterminate++;
    else if (c === 'failed-write') a.writes.failed++;
  }
  const pods = new Set(ws.map((w) => w.pod));
  for (const round of results.rounds) {
    for (const pod of pods)
      get(round.plan.kills.find((k) => k.pod === pod)?.action ?? UNDISRUPTED).podMs += Math.round(round.endedAt - round.startedAt);
    for (const rec of round.recoveries) {
      if (rec.expect === 'refused' || typeof rec.readyMs !== 'number') continue;
      const readyAt = rec.killedAt + rec.readyMs;
      const mine = ws.filter((w) => w.pod === rec.pod).sort((x, y) => x.sentMs - y.sentMs);
      const ack = mine.find((w) => w.sentMs >= readyAt && w.outcome === 'acked');
      if (!ack) continue;
      const a = get(rec.action);
      a.readyToAck.push(Math.round(ack.sentMs - readyAt));
      for (const w of mine) {
        if (w.sentMs < readyAt || w.sentMs >= ack.sentMs || w.outcome === 'acked') continue;
        const cause = failureCause(w.detail);
        a.failures[cause] = (a.failures[cause] ?? 0) + 1;
      }
    }
  }
}
