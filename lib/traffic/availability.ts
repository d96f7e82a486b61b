// Availability during chaos, a figure and not a check: the fraction of writes each pod
// acknowledged, per second and overall, and the intervals a pod acknowledged nothing.
// An interval starts at the first unacknowledged write of a streak and ends at the next
// acknowledged one (or when traffic stopped), so its length is what a client waited.
import type { FaultSpan, RoundResult } from '../model.ts';
import { classifyWrites } from './classify.ts';
import { availabilityByFault } from './fault-availability.ts';
import type { PodAvailability, TrafficRecord, TrafficSummary, UnavailableInterval, WriteRecord } from './records.ts';

const CAP = 50;

function ratio(pod: string, ws: readonly WriteRecord[]): PodAvailability {
  const acked = ws.filter((w) => w.outcome === 'acked').length;
  return { pod, sent: ws.length, acked, ...(ws.length > 0 ? { fraction: acked / ws.length } : {}) };
}

/** The round a moment falls in: the last one started at or before it (rounds do not overlap). */
function roundAt(rounds: readonly RoundResult[], t: number): RoundResult | undefined {
  return rounds.filter((r) => r.startedAt <= t).at(-1);
}

export function unavailableIntervals(
  writes: readonly WriteRecord[],
  rounds: readonly RoundResult[],
  stoppedMs: number,
): UnavailableInterval[] {
  const byPod = Map.groupBy(writes, (w) => w.pod);
  const out: UnavailableInterval[] = [];
  for (const [pod, ws] of byPod) {
    const sorted = [...ws].sort((a, b) => a.sentMs - b.sentMs);
    let from: number | undefined;
    const close = (to: number, open: boolean): void => {
      if (from === undefined) return;
      const r = roundAt(rounds, from);
      const action = r?.plan.kills.find((k) => k.pod === pod)?.action;
      out.push({
        pod,
        fromMs: from,
        toMs: Math.max(from, to),
        ...(r ? { round: r.plan.round } : {}),
        ...(action ? { action } : {}),
        ...(open ? { open: true as const } : {}),
      });
      from = undefined;
    };
    for (const w of sorted) {
      if (w.outcome === 'acked') close(w.sentMs, false);
      else if (from === undefined) from = w.sentMs;
    }
    close(Math.max(stoppedMs, sorted.at(-1)?.sentMs ?? stoppedMs), true);
  }
  return out.sort((a, b) => a.fromMs - b.fromMs);
}

export function perSecond(writes: readonly WriteRecord[], startedMs: number): { second: number; sent: number; acked: number }[] {
  const buckets: { second: number; sent: number; acked: number }[] = [];
  for (const w of writes) {
    const second = Math.max(0, Math.floor((w.sentMs - startedMs) / 1000));
    while (buckets.length <= second) buckets.push({ second: buckets.length, sent: 0, acked: 0 });
    const b = buckets[second] as { sent: number; acked: number };
    b.sent++;
    if (w.outcome === 'acked') b.acked++;
  }
  return buckets;
}

/**
 * A round's longest unavailable interval: the longest part of any interval inside the
 * round (the last round runs until traffic stopped), so a pod down across several rounds
 * counts in each of them for the time it was down there.
 */
function longestIn(
  intervals: readonly UnavailableInterval[],
  round: number,
  from: number,
  to: number,
): { round: number; longestUnavailableMs: number; pod?: string } {
  let best: { ms: number; pod?: string } = { ms: 0 };
  for (const u of intervals) {
    const ms = Math.min(u.toMs, to) - Math.max(u.fromMs, from);
    if (ms > best.ms) best = { ms, pod: u.pod };
  }
  return { round, longestUnavailableMs: best.ms, ...(best.pod ? { pod: best.pod } : {}) };
}

/**
 * The accounting and the availability figures of one run's traffic, for results.json and the reports.
 * `faults`: the faults the node agent held (results.json `faults`), for the availability per fault kind.
 */
export function summarizeTraffic(t: TrafficRecord, rounds: readonly RoundResult[], faults: readonly FaultSpan[] = []): TrafficSummary {
  const storeOf = new Map(t.writes.map((w) => [w.pod, w.store]));
  const c = classifyWrites(t.writes, t.readBack, (pod) => storeOf.get(pod) ?? pod);
  // A loop, not Math.min(...spread): a set run's 200k writes are more arguments than a call takes.
  const started = t.startedMs ?? t.writes.reduce((m, w) => Math.min(m, w.sentMs), Number.POSITIVE_INFINITY);
  const stopped = t.stoppedMs ?? t.writes.reduce((m, w) => Math.max(m, w.doneMs ?? w.sentMs), Number.NEGATIVE_INFINITY);
  const intervals = t.writes.length > 0 ? unavailableIntervals(t.writes, rounds, stopped) : [];
  const pods = [...new Set(t.writes.map((w) => w.pod))].sort();
  const byFault = t.writes.length > 0 ? availabilityByFault(t.writes, intervals, faults, started, stopped) : [];
  const pick = (cls: 'lost' | 'indeterminate') =>
    c.keys
      .filter((k) => k.class === cls)
      .slice(0, CAP)
      .map((k) => ({ pod: k.pod, key: k.key, ...(k.sentMs !== undefined ? { sentMs: k.sentMs } : {}) }));
  const answer = new Map(t.writes.map((w) => [w.key, w]));
  const lost = pick('lost').map((k) => {
    const w = answer.get(k.key);
    return { ...k, ...(w?.answeredBy ? { answeredBy: w.answeredBy } : {}), ...(w?.answeredUid ? { answeredUid: w.answeredUid } : {}) };
  });
  const misrouted = c.set.misrouted.slice(0, CAP).map((a) => ({
    pod: a.addressed,
    key: a.element,
    answeredBy: a.answered ?? '',
    ...(a.answeredUid ? { answeredUid: a.answeredUid } : {}),
    ...(a.address ? { address: a.address } : {}),
    ...(a.at !== undefined ? { sentMs: a.at } : {}),
  }));
  return {
    ...(t.driver ? { driver: t.driver } : {}),
    ...(t.skip ? { skip: t.skip } : {}),
    ...(t.error ? { error: t.error } : {}),
    ...(t.ratePerSecond ? { ratePerSecond: t.ratePerSecond } : {}),
    ...(t.startedMs !== undefined ? { startedMs: t.startedMs } : {}),
    ...(t.stoppedMs !== undefined ? { stoppedMs: t.stoppedMs } : {}),
    counts: c.counts,
    lost,
    indeterminate: pick('indeterminate'),
    misrouted,
    unexpectedKeys: c.set.unexpected.slice(0, CAP).map((u) => ({ store: u.store, member: u.member, key: u.element })),
    stale: c.set.stale.map((m) => ({ store: m.store, member: m.member, missing: m.missing.length })),
    availability: {
      overall: ratio('all', t.writes),
      perPod: pods.map((p) =>
        ratio(
          p,
          t.writes.filter((w) => w.pod === p),
        ),
      ),
      perSecond: t.writes.length > 0 ? perSecond(t.writes, started) : [],
      rounds: rounds.map((r, i) =>
        longestIn(intervals, r.plan.round, r.startedAt, i === rounds.length - 1 ? Math.max(r.endedAt, stopped) : r.endedAt),
      ),
      intervals,
      ...(byFault.length > 0 ? { byFault } : {}),
    },
  };
}
