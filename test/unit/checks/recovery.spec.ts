// STS-RECOVERY on hand-made timelines: recovered rounds pass; a stuck replacement, a
// missing one, one at the wrong revision or too late, and a pod replaced without being
// killed fail naming the pod and what the watch saw; an unobserved round is an error.
import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { EventState, TimelineEntry } from '../../../lib/timeline/entries.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput, uidOf } from '../helpers/timeline-builder.ts';
import { insertBefore, mutate, podIn } from '../helpers/timeline-edit.ts';

const ID = 'STS-RECOVERY';
// One round that kills web-1 only; no scale-down, so the round is the end of the story.
const oneRound = (): CheckInput => buildWebInput({ rounds: [[[1, 'delete']]], scaleDownTo: null });
const isRoundEnd = (e: TimelineEntry): boolean => e.type === 'MARKER' && e.marker === 'round-end';
const web1New = (e: TimelineEntry): boolean =>
  e.type !== 'MARKER' && e.kind === 'Pod' && e.name === 'web-1' && e.pod?.uid === uidOf('web-1', 1);

function notConverged(input: CheckInput): CheckInput {
  return mutate(input, (d) => {
    for (const e of d.timeline) if (e.type === 'MARKER' && e.marker === 'round-end') e.converged = false;
  });
}

function withEvent(input: CheckInput, event: Omit<EventState, 'uid'>): CheckInput {
  return insertBefore(input, isRoundEnd, {
    type: 'ADDED',
    kind: 'Event',
    name: `ev-${event.reason}`,
    resourceVersion: 'ev1',
    event: { uid: 'ev-uid', ...event },
  });
}

describe(ID, () => {
  it('passes when every killed pod is replaced and Ready at the revision, with evidence per kill', () => {
    const r = resultOf(buildWebInput(), ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.equal("all 6 killed pods were replaced and Ready at the round's revision; no other pod was replaced");
    expect(r.evidence.filter((e) => e.note === 'round 2').map((e) => e.subject)).to.deep.equal(['pod web-0', 'pod web-2']);
    expect(r.evidence[0]?.observed).to.match(
      /^uid web-1-uid-0 killed \(delete\); replaced by uid web-1-uid-1, Ready at revision web-7c9f8d6b5 [\d.]+ms later$/,
    );
  });

  it('fails a round that did not converge with the stuck pod state and its last scheduler event', () => {
    const stuck = mutate(oneRound(), (d) => {
      d.timeline = d.timeline.filter((e) => !(web1New(e) && e.type === 'MODIFIED' && e.pod?.phase === 'Running'));
    });
    const bad = notConverged(
      withEvent(stuck, {
        reason: 'FailedScheduling',
        message: '0/1 nodes are available: 1 Insufficient memory',
        type: 'Warning',
        involved: 'Pod/web-1',
      }),
    );
    const r = resultOf(bad, ID);
    expectFailure(
      r,
      'web-1',
      'never Running and Ready at revision web-7c9f8d6b5',
      'Pending, not ready',
      'waiting: ContainerCreating',
      'FailedScheduling',
      'Insufficient memory',
    );
    expect(r.message).to.match(
      /^round 1: web-1 \(uid web-1-uid-0\) was killed at t=\d+ms and its replacement \(uid web-1-uid-1\) was never Running and Ready/,
    );
    expect(r.message).to.include('(and 1 more)'); // the round-level "did not converge"
  });

  it('fails when no replacement is created, quoting the controller FailedCreate event on the StatefulSet', () => {
    const gone = mutate(oneRound(), (d) => {
      d.timeline = d.timeline.filter((e) => !web1New(e));
    });
    const bad = notConverged(
      withEvent(gone, {
        reason: 'FailedCreate',
        message: 'create Pod web-1 in StatefulSet web failed error: pods "web-1" is forbidden: exceeded quota',
        type: 'Warning',
        involved: 'StatefulSet/web',
      }),
    );
    const r = resultOf(bad, ID);
    expectFailure(
      r,
      'web-1',
      'no replacement was created',
      'deleted (uid web-1-uid-0)',
      'FailedCreate on StatefulSet/web',
      'exceeded quota',
    );
  });

  it('names every pod that was not Ready when the round did not converge', () => {
    const bad = notConverged(
      insertBefore(oneRound(), isRoundEnd, {
        type: 'MODIFIED',
        kind: 'Pod',
        name: 'web-2',
        resourceVersion: 'x',
        pod: { uid: uidOf('web-2', 0), phase: 'Running', ready: false, claims: {}, revision: 'web-7c9f8d6b5' },
      }),
    );
    const r = resultOf(bad, ID);
    expectFailure(r, 'round 1 did not converge within the timeout: web-2 not Ready', 'Running, not ready');
  });

  it('fails when the replacement is Ready only at another revision', () => {
    const bad = mutate(oneRound(), (d) => {
      for (const e of d.timeline) if (web1New(e) && e.type !== 'MARKER' && e.pod) e.pod.revision = 'web-0ld';
    });
    expectFailure(resultOf(bad, ID), 'web-1', 'never Running and Ready at revision web-7c9f8d6b5');
  });

  it('fails when the replacement became Ready after the recovery timeout', () => {
    const bad = { ...oneRound(), limits: { recoveryTimeoutMs: 100 } };
    expectFailure(resultOf(bad, ID), 'web-1', 'over the 100ms timeout');
  });

  it('fails for a pod that was not killed but was replaced, with what the watch saw', () => {
    const input = oneRound();
    const last = input.timeline.findLast((e) => e.type === 'MODIFIED' && e.kind === 'Pod' && e.name === 'web-0');
    if (!last || last.type === 'MARKER' || !last.pod) throw new Error('builder changed');
    const { seq: _s, t: _t, wall: _w, ...rest } = last;
    const deleted = insertBefore(input, isRoundEnd, { ...rest, type: 'DELETED', resourceVersion: 'd' });
    const bad = insertBefore(deleted, isRoundEnd, {
      ...rest,
      type: 'ADDED',
      resourceVersion: 'a',
      pod: { ...last.pod, uid: 'web-0-surprise' },
    });
    const r = resultOf(bad, ID);
    expectFailure(
      r,
      'web-0 was not killed but its pod (uid web-0-uid-0) was replaced',
      'DELETED at t=',
      'replaced by uid web-0-surprise (ADDED at t=',
    );
    expect(r.evidence.find((e) => e.subject === 'pod web-0')?.expected).to.equal('uid web-0-uid-0 kept through the run (not killed)');
  });

  /** web-0 (never killed) marked `phase` by the kubelet, then deleted and replaced, as the controller does with a Failed pod. */
  function endedByKubelet(phase: string, afterDelete = false): CheckInput {
    const input = oneRound();
    const last = input.timeline.findLast((e) => e.type === 'MODIFIED' && e.kind === 'Pod' && e.name === 'web-0');
    if (!last || last.type === 'MARKER' || !last.pod) throw new Error('builder changed');
    const { seq: _s, t: _t, wall: _w, ...rest } = last;
    const message = 'Pod ephemeral local storage usage exceeds the total limit of containers 8Mi. ';
    const failedPod = { ...last.pod, phase, ready: false, reason: 'Evicted', message };
    const deleting = { ...last.pod, ready: false, deletionTimestamp: '2025-05-01T12:00:30Z' };
    const steps = afterDelete
      ? [
          { ...rest, type: 'MODIFIED' as const, resourceVersion: 'm', pod: deleting },
          {
            ...rest,
            type: 'MODIFIED' as const,
            resourceVersion: 'f',
            pod: { ...failedPod, deletionTimestamp: deleting.deletionTimestamp },
          },
        ]
      : [
          { ...rest, type: 'MODIFIED' as const, resourceVersion: 'f', pod: failedPod },
          {
            ...rest,
            type: 'MODIFIED' as const,
            resourceVersion: 'm',
            pod: { ...failedPod, deletionTimestamp: deleting.deletionTimestamp },
          },
        ];
    let out = input;
    for (const step of [...steps, { ...rest, type: 'DELETED' as const, resourceVersion: 'd', pod: failedPod }])
      out = insertBefore(out, isRoundEnd, step);
    return insertBefore(out, isRoundEnd, { ...rest, type: 'ADDED', resourceVersion: 'a', pod: { ...last.pod, uid: 'web-0-recreated' } });
  }

  it('passes with a note naming the cause when the kubelet marked a pod Failed and the controller replaced it', () => {
    const r = resultOf(endedByKubelet('Failed'), ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include('no other pod was replaced but those the kubelet marked Failed first: web-0 (Failed: Evicted)');
    const note = r.evidence.find((e) => e.subject === 'pod web-0');
    expect(note?.note).to.equal('ended by the kubelet, not replaced without cause');
    expect(note?.observed).to.match(
      /^uid web-0-uid-0 not killed by the run: the kubelet marked it Failed: Evicted at t=[\d.]+ms \(Pod ephemeral local storage usage exceeds/,
    );
    expect(note?.observed).to.include('the controller replaced it with uid web-0-recreated');
  });

  it('still fails when the pod went Failed only after someone began deleting it (the deletion is unexplained)', () => {
    expectFailure(
      resultOf(endedByKubelet('Failed', true), ID),
      'web-0 was not killed but its pod (uid web-0-uid-0) was replaced',
      'replaced by uid web-0-recreated',
    );
  });

  it('fails when a replacement from an earlier round is itself replaced without a kill', () => {
    // Round 1 replaced web-1 (uid-1); round 2 kills web-0 only, yet web-1-uid-1 goes away.
    const input = buildWebInput({ rounds: [[[1, 'delete']], [[0, 'delete']]], scaleDownTo: null });
    const ends = input.timeline.filter(isRoundEnd);
    const last = input.timeline.findLast((e) => web1New(e) && e.type === 'MODIFIED');
    if (!last || last.type === 'MARKER' || !last.pod || ends.length !== 2) throw new Error('builder changed');
    const { seq: _s, t: _t, wall: _w, ...rest } = last;
    const atEnd2 = (e: TimelineEntry): boolean => e.seq === ends[1]?.seq;
    const bad = insertBefore(input, atEnd2, { ...rest, type: 'DELETED', resourceVersion: 'd2' });
    expectFailure(resultOf(bad, ID), 'web-1 was not killed but its pod (uid web-1-uid-1) was replaced', 'no replacement seen');
  });

  it('fails when the snapshots show a new UID for a pod that was not killed, even if the watch missed it', () => {
    const bad = mutate(oneRound(), (d) => (podIn(d.after, 'web-2').uid = 'web-2-elsewhere'));
    expectFailure(resultOf(bad, ID), 'web-2 was not killed but its UID changed from web-2-uid-0 to web-2-elsewhere');
  });

  it('is an error, not a failure, when the round could not be observed to its end', () => {
    const stuck = mutate(oneRound(), (d) => {
      d.timeline = d.timeline.filter((e) => !(web1New(e) && e.type === 'MODIFIED'));
      for (const e of d.timeline) {
        if (e.type === 'MARKER' && e.marker === 'round-end')
          Object.assign(e, { converged: false, unobserved: 'lost the pod watch: connect ECONNREFUSED 127.0.0.1:6443' });
      }
    });
    const r = resultOf(stuck, ID);
    expect(r.status).to.equal('error');
    expect(r.message).to.equal('round 1: recovery could not be observed: lost the pod watch: connect ECONNREFUSED 127.0.0.1:6443');
  });

  it('is an error when a round has no round-end marker, and skipped without rounds', () => {
    const input = oneRound();
    const cut = { ...input, timeline: input.timeline.filter((e) => !isRoundEnd(e)) };
    expect(resultOf(cut, ID).status).to.equal('error');
    expect(resultOf(buildWebInput({ rounds: [] }), ID).status).to.equal('skipped');
  });

  it('does not count the scale-down as an unplanned replacement', () => {
    const input = buildWebInput({ scaleDownTo: 1 });
    expect(input.timeline.some((e) => e.type === 'DELETED' && e.name === 'web-2' && e.t > (input.after.t ?? 0))).to.equal(true);
    const r = resultOf(input, ID);
    expect(r.status, r.message).to.equal('passed');
  });
});
