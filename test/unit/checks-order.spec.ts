import { expect } from 'chai';
import { expectFailure, resultOf } from './helpers/assertions.ts';
import { buildWebInput, uidOf } from './helpers/timeline-builder.ts';
import { append, becameReady, moveBefore, podEvent } from './helpers/timeline-edit.ts';

const CREATE = 'STS-ORDER-CREATE';
const RECREATE = 'STS-ORDER-RECREATE';

describe('STS-ORDER-CREATE', () => {
  const good = buildWebInput();

  it('passes on an ordered rollout and names each created pod', () => {
    const r = resultOf(good, CREATE);
    expect(r.status).to.equal('passed');
    expect(r.evidence.map((e) => e.subject)).to.deep.equal(['pod web-0', 'pod web-1', 'pod web-2']);
  });

  it('fails when web-2 is created before web-1 (out of order)', () => {
    const bad = moveBefore(good, podEvent('ADDED', 'web-2', uidOf('web-2', 0)), podEvent('ADDED', 'web-1', uidOf('web-1', 0)));
    const r = resultOf(bad, CREATE);
    expectFailure(r, 'web-2', 'web-1', 'not created yet');
    expect(r.message).to.match(/^web-2 was created at t=\d+ms while web-1 was not created yet/);
  });

  it('fails when web-1 is created while web-0 is Running but not yet Ready', () => {
    const bad = moveBefore(good, podEvent('ADDED', 'web-1', uidOf('web-1', 0)), becameReady('web-0', uidOf('web-0', 0)));
    const r = resultOf(bad, CREATE);
    expectFailure(r, 'web-1', 'web-0');
    const ev = r.evidence.find((e) => e.subject === 'pod web-1');
    expect(ev?.observed).to.match(/^web-0: Running, not ready \(uid web-0-uid-0/);
    expect(ev?.at).to.be.a('number');
  });

  it('fails when web-1 is created while web-0 is still Pending', () => {
    const bad = moveBefore(good, podEvent('ADDED', 'web-1'), podEvent('MODIFIED', 'web-0', undefined, (s) => s.phase === 'Running'));
    expectFailure(resultOf(bad, CREATE), 'web-1', 'web-0: Pending, not ready');
  });

  it('fails when a pod never appears during the rollout', () => {
    const bad = { ...good, timeline: good.timeline.filter((e) => !(e.type !== 'MARKER' && e.kind === 'Pod' && e.name === 'web-2' && e.t < 8000)) };
    expectFailure(resultOf(bad, CREATE), 'web-2 was never seen created');
  });
});

describe('STS-ORDER-RECREATE', () => {
  const good = buildWebInput();
  // Round 2 kills web-0 (force) and web-2 (graceful); both are recreated as generation 1.
  const web0New = podEvent('ADDED', 'web-0', uidOf('web-0', 1));
  const web2New = podEvent('ADDED', 'web-2', uidOf('web-2', 1));

  it('passes when replacements appear lowest ordinal first, each after its predecessors are Ready', () => {
    const r = resultOf(good, RECREATE);
    expect(r.status).to.equal('passed');
    expect(r.message).to.include('round 2: web-0, web-2');
    expect(r.evidence.filter((e) => e.note === 'round 3').map((e) => e.subject)).to.deep.equal(['pod web-0', 'pod web-1', 'pod web-2']);
  });

  it('fails when web-2 is recreated before web-0 (out of order)', () => {
    const r = resultOf(moveBefore(good, web2New, web0New), RECREATE);
    expectFailure(r, 'round 2', 'web-2', 'web-0');
    expect(r.message).to.match(/round 2: web-2 was recreated at t=\d+ms while web-0 was deleted \(uid web-0-uid-0\)/);
    // The later web-0 replacement is also flagged as out of ordinal order.
    const order = r.evidence.find((e) => e.subject === 'pod web-0' && e.expected?.includes('lowest ordinal first'));
    expect(order?.observed).to.match(/web-2 recreated at t=\d+ms, web-0 at t=\d+ms/);
  });

  it('fails when web-2 is recreated while the new web-0 is Running but not Ready', () => {
    const r = resultOf(moveBefore(good, web2New, becameReady('web-0', uidOf('web-0', 1))), RECREATE);
    expectFailure(r, 'web-2', 'web-0: Running, not ready (uid web-0-uid-1');
    expect(r.evidence.filter((e) => e.expected?.includes('present, Running and Ready'))).to.have.length(1);
  });

  it('fails when a pod that was not killed is terminating as a replacement appears', () => {
    // Round 1 kills only web-1; make web-0 (untouched) terminate just before web-1 is recreated.
    const web1New = podEvent('ADDED', 'web-1', uidOf('web-1', 1));
    const web0 = good.timeline.findLast((e) => e.type === 'MODIFIED' && e.kind === 'Pod' && e.name === 'web-0' && e.t < 9000);
    if (!web0 || web0.type === 'MARKER' || !web0.pod) throw new Error('builder changed: no web-0 state');
    const terminating = { ...web0, pod: { ...web0.pod, deletionTimestamp: '2025-05-01T12:00:09Z' } };
    const withTerm = append(good, terminating);
    const bad = moveBefore(withTerm, (e) => e.seq === withTerm.timeline.length, web1New);
    expectFailure(resultOf(bad, RECREATE), 'round 1', 'web-1', 'web-0: Running, ready, terminating');
  });

  it('fails when a killed pod is not recreated before the round ends', () => {
    const bad = { ...good, timeline: good.timeline.filter((e) => !(e.type !== 'MARKER' && e.name === 'web-1' && e.pod?.uid === uidOf('web-1', 1))) };
    const r = resultOf(bad, RECREATE);
    expectFailure(r, 'round 1: web-1 was killed but not recreated');
    expect(r.evidence.find((e) => e.subject === 'pod web-1')?.observed).to.match(/deleted \(uid web-1-uid-0\)/);
  });

  it('is skipped when no chaos round was recorded', () => {
    const r = resultOf(buildWebInput({ rounds: [] }), RECREATE);
    expect(r.status).to.equal('skipped');
    expect(r.message).to.include('no chaos round');
  });
});
