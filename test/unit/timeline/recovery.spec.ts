import { expect } from 'chai';
import { recoveriesForRound } from '../../../lib/timeline/recovery.ts';
import { readyStats } from '../../../lib/report/stats.ts';
import type { PodRecovery, RoundPlan } from '../../../lib/model.ts';
import type { PodState, TimelineEntry, WatchEntry } from '../../../lib/timeline/entries.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';

const EPOCH = Date.parse('2025-05-01T12:00:00Z');

/** A tiny hand-timed timeline: web-1 killed at t=1000 and walked back to Ready. */
function smallTimeline(): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  const base = (t: number) => ({ seq: out.length + 1, t, wall: EPOCH + t });
  const pod = (type: WatchEntry['type'], t: number, s: Partial<PodState> & { uid: string }): void => {
    out.push({
      ...base(t),
      type,
      kind: 'Pod',
      name: 'web-1',
      resourceVersion: String(t),
      pod: { phase: 'Running', ready: true, claims: {}, ...s },
    });
  };
  pod('ADDED', 100, { uid: 'old' });
  out.push({ ...base(900), type: 'MARKER', marker: 'round-start', round: 1, pattern: 'sequential' });
  out.push({ ...base(1000), type: 'MARKER', marker: 'kill', round: 1, pod: 'web-1', uid: 'old', action: 'delete' });
  pod('MODIFIED', 1010, { uid: 'old', deletionTimestamp: '2025-05-01T12:00:01Z' });
  pod('MODIFIED', 1800, { uid: 'old', ready: false, deletionTimestamp: '2025-05-01T12:00:01Z' });
  pod('DELETED', 1850, { uid: 'old', ready: false, deletionTimestamp: '2025-05-01T12:00:01Z' });
  pod('ADDED', 1900, { uid: 'new', phase: 'Pending', ready: false });
  pod('MODIFIED', 2500, { uid: 'new', phase: 'Pending', ready: false, node: 'n1' });
  pod('MODIFIED', 3200, { uid: 'new', phase: 'Running', ready: false, ip: '10.0.0.9' });
  // Kubelet marked it Ready at 12:00:04 (second precision); the watch delivered it at t=4600.
  pod('MODIFIED', 4600, { uid: 'new', ready: true, readySince: '2025-05-01T12:00:04Z' });
  pod('MODIFIED', 5000, { uid: 'new', ready: true, readySince: '2025-05-01T12:00:04Z' });
  out.push({ ...base(5100), type: 'MARKER', marker: 'round-end', round: 1, converged: true });
  return out;
}

const plan: RoundPlan = { round: 1, pattern: 'sequential', kills: [{ pod: 'web-1', ordinal: 1, action: 'delete' }] };

describe('recoveriesForRound', () => {
  it('derives each phase relative to the kill marker', () => {
    const [r] = recoveriesForRound(smallTimeline(), plan, { start: 900, end: 5100 });
    expect(r).to.deep.include({
      pod: 'web-1',
      round: 1,
      action: 'delete',
      killedAt: 1000,
      deletedMs: 850,
      recreatedMs: 900,
      runningMs: 2200,
      readyMs: 3600,
      recovered: true,
    });
    // Wall 12:00:04.600 seen, kubelet said 12:00:04 -> at most 600 ms late.
    expect(r?.detectionLatencyMs).to.equal(600);
  });

  it('does not depend on the timeline array being in seq order', () => {
    const shuffled = smallTimeline().reverse();
    expect(recoveriesForRound(shuffled, plan, { start: 900, end: 5100 })).to.deep.equal(
      recoveriesForRound(smallTimeline(), plan, { start: 900, end: 5100 }),
    );
  });

  it('leaves later phases undefined and recovered=false when the window ends before Ready', () => {
    const [r] = recoveriesForRound(smallTimeline(), plan, { start: 900, end: 3000 });
    expect(r).to.include({ deletedMs: 850, recreatedMs: 900, recovered: false });
    expect(r?.runningMs).to.equal(undefined);
    expect(r?.readyMs).to.equal(undefined);
    expect(r?.detectionLatencyMs).to.equal(undefined);
  });

  it('falls back to the window start when the kill marker is missing', () => {
    const tl = smallTimeline().filter((e) => !(e.type === 'MARKER' && e.marker === 'kill'));
    const [r] = recoveriesForRound(tl, plan, { start: 900, end: 5100 });
    expect(r).to.include({ killedAt: 900, deletedMs: 950, readyMs: 3700, recovered: true });
  });

  it('omits detection latency when readySince is absent', () => {
    const tl = smallTimeline().map((e) => (e.type !== 'MARKER' && e.pod ? { ...e, pod: { ...e.pod, readySince: undefined } } : e));
    const [r] = recoveriesForRound(tl, plan, { start: 900, end: 5100 });
    expect(r?.recovered).to.equal(true);
    expect(r?.detectionLatencyMs).to.equal(undefined);
  });

  it('orders phases sensibly for every kill in the built multi-round run', () => {
    const input = buildWebInput();
    const all = input.rounds.flatMap((round) =>
      recoveriesForRound(input.timeline, round.plan, { start: round.startedAt, end: round.endedAt }),
    );
    expect(all.map((r) => `${r.round}:${r.pod}:${r.action}`)).to.deep.equal([
      '1:web-1:delete',
      '2:web-0:force-delete',
      '2:web-2:delete',
      '3:web-0:delete',
      '3:web-1:force-delete',
      '3:web-2:delete',
    ]);
    for (const r of all) {
      expect(r.recovered, r.pod).to.equal(true);
      const phases = [r.deletedMs, r.recreatedMs, r.runningMs, r.readyMs] as number[];
      expect(phases.every((x) => typeof x === 'number' && x >= 0)).to.equal(true);
      expect(phases).to.deep.equal([...phases].sort((a, b) => a - b));
      expect(r.detectionLatencyMs).to.be.within(0, 1200);
    }
    // A force-delete removes the object at once; a graceful delete waits for the containers.
    const byKey = new Map(all.map((r) => [`${r.round}:${r.pod}`, r]));
    expect(byKey.get('2:web-0')?.deletedMs).to.be.below(byKey.get('2:web-2')?.deletedMs ?? 0);
  });
});

describe('readyStats over recoveries', () => {
  const rec = (readyMs?: number): PodRecovery => ({
    pod: 'web-0',
    round: 1,
    action: 'delete',
    killedAt: 0,
    readyMs,
    recovered: readyMs !== undefined,
  });

  it('uses nearest-rank percentiles over readyMs', () => {
    const stats = readyStats([500, 100, 1000, 300, 200, 400, 900, 600, 800, 700].map(rec));
    expect(stats).to.deep.equal({ killed: 10, recovered: 10, p50: 500, p95: 1000, max: 1000 });
  });

  it('counts unrecovered pods but leaves them out of the percentiles', () => {
    expect(readyStats([rec(4000), rec(), rec(2000)])).to.deep.equal({ killed: 3, recovered: 2, p50: 2000, p95: 4000, max: 4000 });
  });

  it('has undefined figures when nothing recovered', () => {
    const empty = readyStats([]);
    expect(empty).to.include({ killed: 0, recovered: 0 });
    expect([empty.p50, empty.p95, empty.max]).to.deep.equal([undefined, undefined, undefined]);
    expect(readyStats([rec()]).p50).to.equal(undefined);
  });

  it('returns the only value for a single recovery', () => {
    expect(readyStats([rec(1234)])).to.deep.equal({ killed: 1, recovered: 1, p50: 1234, p95: 1234, max: 1234 });
  });
});
