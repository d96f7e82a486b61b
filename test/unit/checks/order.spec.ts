// The causal ordering rule (lib/timeline/causal.ts) as STS-ORDER-CREATE and
// STS-ORDER-RECREATE apply it: a creation is a violation only if at no moment between
// the window's opening (deploy, or the previous generation's DELETED) and the ADDED were
// all lower ordinals Ready; a regression after an all-Ready moment is the informer race.
import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { PodState, TimelineEntry, WatchEntry } from '../../../lib/timeline/entries.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput, uidOf } from '../helpers/timeline-builder.ts';
import { becameReady, insertBefore, moveBefore, podEvent, type Match } from '../helpers/timeline-edit.ts';

const CREATE = 'STS-ORDER-CREATE';
const RECREATE = 'STS-ORDER-RECREATE';

/** Inserts, before `before`, a MODIFIED of pod `name` (its last state there) with `patch` applied. */
function podChange(input: CheckInput, name: string, before: Match, patch: Partial<PodState>): CheckInput {
  const at = input.timeline.findIndex(before);
  const last = input.timeline.slice(0, at).findLast((e): e is WatchEntry => e.type !== 'MARKER' && e.kind === 'Pod' && e.name === name);
  if (!last?.pod || last.type === 'DELETED') throw new Error(`no live ${name} before the anchor`);
  const { seq: _s, t: _t, wall: _w, ...rest } = last;
  return insertBefore(input, before, {
    ...rest,
    type: 'MODIFIED',
    resourceVersion: `${last.resourceVersion}-p`,
    pod: { ...last.pod, ...patch },
  });
}

const entryOf = (input: CheckInput, m: Match): TimelineEntry => {
  const e = input.timeline.find(m);
  if (!e) throw new Error('no such entry');
  return e;
};

describe('STS-ORDER-CREATE', () => {
  const good = buildWebInput();

  it('passes on an ordered rollout and names each created pod with its all-Ready moment', () => {
    const r = resultOf(good, CREATE);
    expect(r.status).to.equal('passed');
    expect(r.evidence.map((e) => e.subject)).to.deep.equal(['pod web-0', 'pod web-1', 'pod web-2']);
    expect(r.evidence[2]?.observed).to.match(/^created at t=\d+ms; web-0\.\.web-1 all Ready at t=\d+ms$/);
  });

  it('fails when web-2 is created before web-1 exists, naming the blocking predecessor', () => {
    const bad = moveBefore(good, podEvent('ADDED', 'web-2', uidOf('web-2', 0)), podEvent('ADDED', 'web-1', uidOf('web-1', 0)));
    const r = resultOf(bad, CREATE);
    expectFailure(r, 'web-2', 'web-1 (not created yet)');
    expect(r.message).to.match(
      /^web-2 was created at t=\d+ms although at no moment since the deploy \(t=\d+ms\) were its predecessors all Ready/,
    );
  });

  it('fails when web-1 is created while web-0 was never Ready, with web-0 state over the window', () => {
    const bad = moveBefore(good, podEvent('ADDED', 'web-1', uidOf('web-1', 0)), becameReady('web-0', uidOf('web-0', 0)));
    const r = resultOf(bad, CREATE);
    expectFailure(r, 'web-1', 'web-0');
    const ev = r.evidence.find((e) => e.subject === 'pod web-1');
    expect(ev?.observed).to.match(
      /^web-0 never Ready with the others; over the window: t=\d+ms absent; .*Pending, not ready.*Running, not ready$/,
    );
    expect(ev?.at).to.be.a('number');
  });

  it('fails when web-1 is created while web-0 is still Pending', () => {
    const bad = moveBefore(
      good,
      podEvent('ADDED', 'web-1'),
      podEvent('MODIFIED', 'web-0', undefined, (s) => s.phase === 'Running'),
    );
    expectFailure(resultOf(bad, CREATE), 'web-1', 'web-0 (Pending, not ready');
  });

  it('passes with an informer-race note when web-0 regresses after an all-Ready moment, just before web-1 appears', () => {
    const regressed = podChange(good, 'web-0', podEvent('ADDED', 'web-1', uidOf('web-1', 0)), { ready: false });
    // ... and is Ready again right after, so web-2's creation is judged on its own.
    const raced = podChange(regressed, 'web-0', podEvent('MODIFIED', 'web-1', uidOf('web-1', 0)), { ready: true });
    const r = resultOf(raced, CREATE);
    expect(r.status, r.message).to.equal('passed');
    const ev = r.evidence.find((e) => e.subject === 'pod web-1');
    expect(ev?.note).to.match(/^informer race: predecessors were all Ready at t=\d+ms, web-0 regressed at t=\d+ms$/);
  });

  it('is an error, not a failure, when a pod never appears during the rollout (the watch missed it)', () => {
    const bad = {
      ...good,
      timeline: good.timeline.filter((e) => !(e.type !== 'MARKER' && e.kind === 'Pod' && e.name === 'web-2' && e.t < 8000)),
    };
    const r = resultOf(bad, CREATE);
    expect(r.status).to.equal('error');
    expect(r.message).to.include('web-2 was never seen created');
  });
});

describe('STS-ORDER-RECREATE', () => {
  const good = buildWebInput();
  // Round 2 kills web-0 (force) and web-2 (graceful); both are recreated as generation 1.
  const web0New = podEvent('ADDED', 'web-0', uidOf('web-0', 1));
  const web2New = podEvent('ADDED', 'web-2', uidOf('web-2', 1));

  it('passes when each replacement had an all-Ready moment since its old pod was deleted', () => {
    const r = resultOf(good, RECREATE);
    expect(r.status).to.equal('passed');
    expect(r.message).to.include('round 2: web-0, web-2');
    expect(r.evidence.filter((e) => e.note === 'round 3').map((e) => e.subject)).to.deep.equal(['pod web-0', 'pod web-1', 'pod web-2']);
  });

  it('fails when web-2 is recreated while web-0 is still gone, naming web-0 and its state', () => {
    const r = resultOf(moveBefore(good, web2New, web0New), RECREATE);
    expectFailure(r, 'round 2', 'web-2', 'web-0 (deleted (uid web-0-uid-0)');
    expect(r.message).to.match(
      /^round 2: web-2 was recreated at t=\d+ms although at no moment since web-2's previous pod \(uid web-2-uid-0\) was deleted/,
    );
  });

  it('fails when web-2 is recreated while the new web-0 is Running but has not been Ready', () => {
    const r = resultOf(moveBefore(good, web2New, becameReady('web-0', uidOf('web-0', 1))), RECREATE);
    expectFailure(r, 'web-2', 'web-0 (Running, not ready (uid web-0-uid-1');
    expect(r.evidence.filter((e) => e.expected?.includes('all present, not terminating, Running and Ready'))).to.have.length(1);
  });

  it('fails when an untouched predecessor is terminating for the whole window', () => {
    // Round 1 kills only web-1; web-0 starts terminating before web-1's old pod is gone.
    const web1Gone = podEvent('DELETED', 'web-1', uidOf('web-1', 0));
    const bad = podChange(good, 'web-0', web1Gone, { deletionTimestamp: '2025-05-01T12:00:09Z' });
    expectFailure(resultOf(bad, RECREATE), 'round 1', 'web-1', 'web-0 (Running, ready, terminating');
  });

  it('passes with an informer-race note when a predecessor regresses just before the replacement appears', () => {
    const web1New = podEvent('ADDED', 'web-1', uidOf('web-1', 1));
    const raced = podChange(good, 'web-0', web1New, { deletionTimestamp: '2025-05-01T12:00:09Z' });
    const r = resultOf(raced, RECREATE);
    expect(r.status, r.message).to.equal('passed');
    const ev = r.evidence.find((e) => e.subject === 'pod web-1' && e.note?.startsWith('round 1'));
    expect(ev?.note).to.match(/informer race: predecessors were all Ready at t=\d+ms, web-0 regressed at t=\d+ms/);
  });

  it('passes burst rounds whose deletions land concurrently, and reverse rounds', () => {
    for (const pattern of ['burst', 'reverse'] as const) {
      const rounds: [number, 'delete' | 'force-delete'][][] = [
        [
          [0, 'delete'],
          [1, 'force-delete'],
          [2, 'delete'],
        ],
        [
          [0, 'force-delete'],
          [2, 'force-delete'],
        ],
      ];
      const input = buildWebInput({
        rounds: pattern === 'reverse' ? rounds.map((r) => [...r].reverse()) : rounds,
        patterns: [pattern, pattern],
      });
      for (const id of [RECREATE, 'STS-RECOVERY', CREATE]) {
        const r = resultOf(input, id);
        expect(r.status, `${pattern} ${id}: ${r.message}`).to.equal('passed');
      }
    }
  });

  it('does not judge a killed pod that is never recreated (STS-RECOVERY does)', () => {
    const one = buildWebInput({ rounds: [[[1, 'delete']]], scaleDownTo: null });
    const bad = {
      ...one,
      timeline: one.timeline.filter((e) => !(e.type !== 'MARKER' && e.name === 'web-1' && e.pod?.uid === uidOf('web-1', 1))),
    };
    expect(resultOf(bad, RECREATE).status).to.equal('passed');
    expectFailure(resultOf(bad, 'STS-RECOVERY'), 'web-1', 'no replacement was created');
  });

  it('is an error, not a failure, when the pod watch was down over a violating window', () => {
    const bad = moveBefore(good, web2New, web0New);
    const added = entryOf(bad, web2New);
    const gap = insertBefore(bad, web2New, {
      type: 'MARKER',
      marker: 'watch-gap',
      kind: 'Pod',
      from: added.t - 500,
      to: added.t,
      reason: 'connect ECONNREFUSED',
    });
    const r = resultOf(gap, RECREATE);
    expect(r.status, r.message).to.equal('error');
    expect(r.message).to.include('the pod watch was down');
  });

  it('is skipped when no chaos round was recorded', () => {
    const r = resultOf(buildWebInput({ rounds: [] }), RECREATE);
    expect(r.status).to.equal('skipped');
    expect(r.message).to.include('no chaos round');
  });
});
