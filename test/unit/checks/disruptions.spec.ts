// The checks under the disruption model, on recorded-shape timelines: a container kill
// keeps its UID and restarts in place, a refused eviction leaves its pod alone, and
// STS-PDB judges each admitted eviction against every pod unavailable at that moment.
import { expect } from 'chai';
import { recoveryByDisruption } from '../../../lib/report/stats.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { TimelineEntry } from '../../../lib/timeline/entries.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput, uidOf } from '../helpers/timeline-builder.ts';
import { insertBefore } from '../helpers/timeline-edit.ts';

const PDB = { name: 'web-budget', maxUnavailable: 1 };

/** Removes the entries `drop` matches and renumbers nothing (seq order is kept). */
const without = (input: CheckInput, drop: (e: TimelineEntry) => boolean): CheckInput => ({
  ...input,
  timeline: input.timeline.filter((e) => !drop(e)),
});

describe('checks under restarted-in-place (container-kill)', () => {
  const input = (): CheckInput =>
    buildWebInput({
      rounds: [
        [[1, 'container-kill']],
        [
          [0, 'container-kill'],
          [2, 'delete'],
        ],
      ],
    });

  it('STS-IDENTITY and STS-RECOVERY pass when the pod keeps its UID and restarts', () => {
    const i = input();
    const identity = resultOf(i, 'STS-IDENTITY');
    expect(identity.status, identity.message).to.equal('passed');
    expect(JSON.stringify(identity.evidence)).to.include('not replaced by its disruptions');
    const recovery = resultOf(i, 'STS-RECOVERY');
    expect(recovery.status, recovery.message).to.equal('passed');
    expect(recovery.message).to.include("1 replaced and Ready at the round's revision, 2 restarted in place and Ready again, 0 refused");
    expect(JSON.stringify(recovery.evidence)).to.include(`uid ${uidOf('web-1', 0)} restarted in place (container-kill; restart count 1)`);
  });

  it('times the restart and Ready again per kind, apart from the deletions', () => {
    const i = input();
    const [r1] = i.rounds[0]?.recoveries ?? [];
    expect(r1).to.include({ pod: 'web-1', action: 'container-kill', expect: 'restarted-in-place', recovered: true });
    expect(r1?.restartedMs).to.be.a('number');
    expect(r1?.readyMs).to.be.greaterThan(r1?.restartedMs ?? Number.POSITIVE_INFINITY);
    expect(r1?.recreatedMs).to.equal(undefined);
    const kinds = recoveryByDisruption(i.rounds);
    expect(kinds.map((k) => [k.disruption, k.killed, k.recovered, k.refused])).to.deep.equal([
      ['container-kill', 2, 2, 0],
      ['delete', 1, 1, 0],
    ]);
    for (const k of kinds)
      expect(k.p50Ms)
        .to.be.a('number')
        .and.to.be.at.most(k.maxMs ?? 0);
  });

  it('STS-RECOVERY fails when the restart never shows, naming the pod', () => {
    // Every view of web-1 showing the restart goes missing: the kill did nothing visible.
    const none = resultOf(
      without(input(), (e) => e.type !== 'MARKER' && e.name === 'web-1' && (e.pod?.restartCount ?? 0) > 0),
      'STS-RECOVERY',
    );
    expectFailure(none, 'web-1', 'never showed a container restart');
  });

  it('STS-RECOVERY fails when a pod meant to restart in place was replaced instead', () => {
    const i = input();
    const killAt = i.timeline.findIndex((e) => e.type === 'MARKER' && e.marker === 'kill' && e.pod === 'web-1');
    const last = i.timeline[killAt] as TimelineEntry;
    const seq = (n: number): { seq: number; t: number; wall: number } => ({ seq: last.seq + n / 100, t: last.t + n, wall: last.wall + n });
    const gone: TimelineEntry[] = [
      {
        ...seq(1),
        type: 'DELETED',
        kind: 'Pod',
        name: 'web-1',
        resourceVersion: 'x1',
        pod: { uid: uidOf('web-1', 0), phase: 'Running', ready: false, claims: {} },
      },
      {
        ...seq(2),
        type: 'ADDED',
        kind: 'Pod',
        name: 'web-1',
        resourceVersion: 'x2',
        pod: { uid: 'web-1-stranger', phase: 'Running', ready: true, claims: {} },
      },
    ];
    const r = resultOf({ ...i, timeline: [...i.timeline, ...gone] }, 'STS-RECOVERY');
    expectFailure(r, 'web-1', 'was to restart in place but was deleted');
  });
});

describe('STS-PDB and refused evictions', () => {
  const sequential = (): CheckInput =>
    buildWebInput({
      pdb: PDB,
      rounds: [
        [[1, 'evict']],
        [
          [0, 'evict'],
          [2, 'evict', 'refused'],
        ],
      ],
    });

  it('passes when one eviction at a time is admitted and the next is refused (429)', () => {
    const i = sequential();
    const r = resultOf(i, 'STS-PDB');
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.equal(
      '2 evictions admitted, 1 refused (429); at most 1 of 3 pods unavailable with an admitted eviction (counting every cause), within the 1 that web-budget (maxUnavailable=1) allows',
    );
    expect(JSON.stringify(r.evidence)).to.include('pod web-2');
    const recovery = resultOf(i, 'STS-RECOVERY');
    expect(recovery.status, recovery.message).to.equal('passed');
    expect(recovery.message).to.include('1 refused by the API and left alone');
    expect(resultOf(i, 'STS-IDENTITY').status).to.equal('passed');
    const [evict] = recoveryByDisruption(i.rounds);
    expect(evict).to.include({ disruption: 'evict', killed: 2, recovered: 2, refused: 1 });
    expect(evict?.maxMs).to.be.a('number');
  });

  it('fails, naming the pod, when evictions took more pods out at once than the budget allows', () => {
    // Two evictions admitted in one burst: both pods out together, over maxUnavailable=1.
    const i = buildWebInput({
      pdb: PDB,
      rounds: [
        [
          [0, 'evict'],
          [2, 'evict'],
        ],
      ],
      patterns: ['burst'],
    });
    const r = resultOf(i, 'STS-PDB');
    expectFailure(
      r,
      'pod web-2',
      'pod web-0',
      'the eviction of web-2 (round 1) was admitted when its deletion began',
      'while 2 pods were unavailable with it (web-0, web-2)',
      'over the 1 that PodDisruptionBudget web-budget (maxUnavailable=1) allows',
    );
    expect(r.evidence[0]?.subject).to.equal('pod web-2');
    // The same burst under a budget of two is fine.
    const loose = buildWebInput({
      pdb: { name: 'web-budget', minAvailable: 1 },
      rounds: [
        [
          [0, 'evict'],
          [2, 'evict'],
        ],
      ],
      patterns: ['burst'],
    });
    expect(resultOf(loose, 'STS-PDB').status).to.equal('passed');
  });

  it('counts every unavailable pod: "delete web-0, then evict web-2" under maxUnavailable=1 fails, naming both', () => {
    const i = buildWebInput({
      pdb: PDB,
      rounds: [
        [
          [0, 'delete'],
          [2, 'evict'],
        ],
      ],
    });
    const r = resultOf(i, 'STS-PDB');
    expectFailure(
      r,
      'while 2 pods were unavailable with it (web-0, web-2)',
      'unavailable when the eviction of web-2 was admitted: terminating since t=',
    );
    expect(r.evidence.map((e) => e.subject).slice(0, 2)).to.deep.equal(['pod web-2', 'pod web-0']);
    // The same two disruptions in two rounds: web-0 is back before web-2 is evicted.
    const apart = buildWebInput({ pdb: PDB, rounds: [[[0, 'delete']], [[2, 'evict']]] });
    const ok = resultOf(apart, 'STS-PDB');
    expect(ok.status, ok.message).to.equal('passed');
    expect(ok.message).to.include('at most 1 of 3 pods unavailable with an admitted eviction');
  });

  /** The budget's status as the disruption controller wrote it, then the eviction's admitting update (disruptedPods gains web-2). */
  function withBudget(input: CheckInput, admittedAt: string, healthy: number, disrupted = ['web-2']): CheckInput {
    const kill = (e: TimelineEntry): boolean => e.type === 'MARKER' && e.marker === 'kill' && e.pod === 'web-2';
    const afterKill = input.timeline[input.timeline.findIndex(kill) + 1] as TimelineEntry;
    const pdb = {
      uid: 'pdb-uid',
      disruptionsAllowed: healthy - 2,
      currentHealthy: healthy,
      desiredHealthy: 2,
      expectedPods: 3,
      generation: 1,
      observedGeneration: 1,
    };
    const first = insertBefore(input, (e) => e.seq === input.timeline[0]?.seq, {
      type: 'ADDED',
      kind: 'PodDisruptionBudget',
      name: 'web-budget',
      resourceVersion: '900',
      pdb,
    });
    const admitting = { ...pdb, disruptionsAllowed: pdb.disruptionsAllowed - 1, disruptedPods: disrupted };
    return insertBefore(first, (e) => e.seq === afterKill.seq + 1, {
      type: 'MODIFIED',
      kind: 'PodDisruptionBudget',
      name: 'web-budget',
      resourceVersion: admittedAt,
      pdb: admitting,
    });
  }

  it('places the admission by resourceVersion: before the delete landed it is within budget; after it, within the controller lag, a race note; later, it fails and shows the stale status', () => {
    const i = buildWebInput({
      pdb: PDB,
      rounds: [
        [
          [0, 'delete'],
          [2, 'evict'],
        ],
      ],
      patterns: ['burst'],
    });
    const web0Out = i.timeline.find((e) => e.type === 'MODIFIED' && e.name === 'web-0' && e.pod?.deletionTimestamp);
    if (!web0Out || web0Out.type === 'MARKER') throw new Error('builder changed');
    // Admitted at a revision below web-0's deletion: the delete raced in after the budget said yes.
    const raced = resultOf(withBudget(i, String(Number(web0Out.resourceVersion) - 1), 3), 'STS-PDB');
    expect(raced.status, raced.message).to.equal('passed');
    expect(JSON.stringify(raced.evidence)).to.include(
      `admitted at resourceVersion ${Number(web0Out.resourceVersion) - 1} (the budget's status update admitting it`,
    );
    // Admitted above it, from a status that still counted web-0 healthy, in the same millisecond:
    // the disruption controller's known lag behind a direct delete (kubernetes#36438), a note.
    const lagging = resultOf(withBudget(i, String(Number(web0Out.resourceVersion) + 1), 3), 'STS-PDB');
    expect(lagging.status, lagging.message).to.equal('passed');
    expect(lagging.message).to.include('a race the budget does not close');
    const race = lagging.evidence.find((e) => e.note === 'a race the budget does not close');
    expect(race?.observed).to.include('still counted web-0 (terminating since t=').and.include('currentHealthy 3');
    // Within the lag too, but the budget had been loosened (desiredHealthy 0): a fresh status would have
    // admitted it as well, so the stale count explains nothing and the run's budget was broken.
    const loosened = withBudget(i, String(Number(web0Out.resourceVersion) + 1), 3);
    for (const e of loosened.timeline) if (e.type !== 'MARKER' && e.pdb) Object.assign(e.pdb, { desiredHealthy: 0 });
    expectFailure(resultOf(loosened, 'STS-PDB'), 'while 2 pods were unavailable with it (web-0, web-2)');
    // The same status still stale 1.5 s after web-0 went: no lag explains that, the budget was broken.
    const late = withBudget(i, String(Number(web0Out.resourceVersion) + 1), 3);
    const admitting = late.timeline.find((e) => e.type !== 'MARKER' && e.kind === 'PodDisruptionBudget' && e.pdb?.disruptedPods);
    if (!admitting) throw new Error('no admitting update');
    admitting.t = web0Out.t + 1500;
    const stale = resultOf(late, 'STS-PDB');
    expectFailure(
      stale,
      'while 2 pods were unavailable with it (web-0, web-2)',
      'disruptionsAllowed 1, currentHealthy 3, desiredHealthy 2 (stale: it counted 3 healthy while 2 were)',
    );
  });

  it('counts a pod whose eviction was admitted but not yet deleted (status.disruptedPods) as out', () => {
    // Two evictions in a burst: web-2's is admitted before web-0's deletion lands, but after web-0's admission.
    const i = buildWebInput({
      pdb: PDB,
      rounds: [
        [
          [0, 'evict'],
          [2, 'evict'],
        ],
      ],
      patterns: ['burst'],
    });
    const web0Out = i.timeline.find((e) => e.type === 'MODIFIED' && e.name === 'web-0' && e.pod?.deletionTimestamp);
    if (!web0Out || web0Out.type === 'MARKER') throw new Error('builder changed');
    const r = resultOf(withBudget(i, String(Number(web0Out.resourceVersion) - 1), 3, ['web-0', 'web-2']), 'STS-PDB');
    expectFailure(
      r,
      'while 2 pods were unavailable with it (web-0, web-2)',
      'its eviction already admitted (in status.disruptedPods), not yet deleted',
    );
  });

  it("STS-RECOVERY fails when a refused eviction's pod went anyway", () => {
    const i = sequential();
    const refusedAt = i.timeline.findIndex((e) => e.type === 'MARKER' && e.marker === 'kill-refused');
    const m = i.timeline[refusedAt] as TimelineEntry;
    const gone: TimelineEntry = {
      seq: m.seq + 0.5,
      t: m.t + 1,
      wall: m.wall + 1,
      type: 'MODIFIED',
      kind: 'Pod',
      name: 'web-2',
      resourceVersion: 'y',
      pod: { uid: uidOf('web-2', 0), phase: 'Running', ready: false, deletionTimestamp: '2025-05-01T12:00:30Z', claims: {} },
    };
    expectFailure(
      resultOf({ ...i, timeline: [...i.timeline, gone] }, 'STS-RECOVERY'),
      'web-2',
      'was refused by the API but the pod went anyway',
    );
  });

  it('errors when the pod watch was down while evicted pods were out, skips without a budget or evictions', () => {
    const i = sequential();
    const kill = i.timeline.find((e) => e.type === 'MARKER' && e.marker === 'kill' && e.pod === 'web-1') as TimelineEntry;
    const del = i.timeline.find((e) => e.type === 'MODIFIED' && e.name === 'web-1' && e.pod?.deletionTimestamp) as TimelineEntry;
    const gap: TimelineEntry = {
      seq: del.seq + 0.5,
      t: del.t + 1,
      wall: del.wall + 1,
      type: 'MARKER',
      marker: 'watch-gap',
      kind: 'Pod',
      from: kill.t,
      to: del.t + 1,
      reason: 'connection reset',
    };
    const r = resultOf({ ...i, timeline: [...i.timeline, gap] }, 'STS-PDB');
    expect(r.status, r.message).to.equal('error');
    expect(r.message).to.include('the pod watch was down');
    expect(resultOf(buildWebInput(), 'STS-PDB')).to.include({ status: 'skipped' });
    expect(resultOf(buildWebInput({ pdb: PDB }), 'STS-PDB').message).to.equal('no eviction was sent');
  });
});
