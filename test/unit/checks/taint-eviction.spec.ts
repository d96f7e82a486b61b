// A pod the taint-eviction controller deleted (its node went stale: a node fault, or an
// API outage that let every node's lease lapse) is the node's doing. These timelines are
// shaped like the recorder's: the controller patches DisruptionTarget DeletionByTaintManager
// onto the pod, emits a TaintManagerEviction Event "Marking for deletion Pod <ns>/<name>"
// (no UID), then deletes the pod (kubernetes/kubernetes pkg/controller/tainteviction).
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { taintEvictionsIn } from '../../../lib/timeline/kills.ts';
import { inOrder } from '../../../lib/timeline/queries.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { TimelineEntry, WatchEntry } from '../../../lib/timeline/entries.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { MUTATIONS } from '../helpers/mutations.ts';
import { NAMESPACE, buildWebInput } from '../helpers/timeline-builder.ts';
import { insertBefore, mutate } from '../helpers/timeline-edit.ts';

const NODE = 'ordinal-worker';
const good = buildWebInput();
const isPod = (e: TimelineEntry, name: string): e is WatchEntry => e.type !== 'MARKER' && e.kind === 'Pod' && e.name === name;

function taintEvent(pod: string, message = `Marking for deletion Pod ${NAMESPACE}/${pod}`): Omit<WatchEntry, 'seq' | 't' | 'wall'> {
  return {
    type: 'ADDED',
    kind: 'Event',
    name: `${pod}.18a0`,
    resourceVersion: `ev-${pod}-${message.length}`,
    event: { uid: `ev-${pod}`, reason: 'TaintManagerEviction', message, type: 'Normal', involved: `Pod/${pod}` },
  };
}

/** The scale-down window reordered so `pod` terminates first (web-1 before web-2 is gone). */
function terminateFirst(input: CheckInput, pod: string): CheckInput {
  return mutate(input, (d) => {
    const i = d.timeline.findIndex((e) => e.type === 'MARKER' && e.marker === 'scale-down');
    const window = d.timeline.slice(i + 1, -1);
    const reordered = [...window.filter((e) => isPod(e, pod)), ...window.filter((e) => !isPod(e, pod))];
    window.forEach((slot, k) => {
      d.timeline[i + 1 + k] = { ...(reordered[k] as TimelineEntry), seq: slot.seq, t: slot.t, wall: slot.wall };
    });
  });
}

const scaleDownTermination = (pod: string) => {
  let seen = false;
  return (e: TimelineEntry): boolean => {
    if (e.type === 'MARKER' && e.marker === 'scale-down') seen = true;
    return seen && isPod(e, pod) && (e.type === 'DELETED' || !!e.pod?.deletionTimestamp);
  };
};

/** Sets DisruptionTarget DeletionByTaintManager on every entry of `pod` from its first termination in the scale-down on. */
function withCondition(input: CheckInput, pod: string): CheckInput {
  return mutate(input, (d) => {
    const match = scaleDownTermination(pod);
    const from = d.timeline.findIndex(match);
    for (const e of d.timeline.slice(from)) if (isPod(e, pod) && e.pod) e.pod.disruptionTarget = 'DeletionByTaintManager';
  });
}

describe('taint eviction: the node deletes a pod, not the StatefulSet controller', () => {
  const outOfOrder = terminateFirst(good, 'web-1');

  it('STS-ORDER-SCALEDOWN still fails when the lower ordinal was terminated first with no sign of taint eviction', () => {
    expectFailure(resultOf(outOfOrder, 'STS-ORDER-SCALEDOWN'), 'web-1 began terminating', 'before web-2 was gone');
  });

  it('STS-ORDER-SCALEDOWN passes, naming the node, when the TaintManagerEviction Event came with that termination', () => {
    const evicted = insertBefore(outOfOrder, scaleDownTermination('web-1'), taintEvent('web-1'));
    const r = resultOf(evicted, 'STS-ORDER-SCALEDOWN');
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include(`web-1 by taint eviction on node ${NODE}`);
    const row = r.evidence.find((e) => e.observed?.includes('deleted by taint eviction'));
    expect(row?.subject).to.equal('pod web-1');
    expect(row?.observed).to.include(`deleted by taint eviction on node ${NODE}`).and.include('TaintManagerEviction Event');
  });

  it('STS-ORDER-SCALEDOWN passes on the DisruptionTarget condition alone (exact per UID, no Event needed)', () => {
    const r = resultOf(withCondition(outOfOrder, 'web-1'), 'STS-ORDER-SCALEDOWN');
    expect(r.status, r.message).to.equal('passed');
    expect(JSON.stringify(r.evidence)).to.include('DisruptionTarget DeletionByTaintManager');
  });

  it('a "Cancelling deletion" Event, or one about another pod, is not an eviction', () => {
    const cancelled = insertBefore(
      outOfOrder,
      scaleDownTermination('web-1'),
      taintEvent('web-1', `Cancelling deletion of Pod ${NAMESPACE}/web-1`),
    );
    expectFailure(resultOf(cancelled, 'STS-ORDER-SCALEDOWN'), 'web-1 began terminating');
    const other = insertBefore(outOfOrder, scaleDownTermination('web-1'), taintEvent('web-0'));
    expectFailure(resultOf(other, 'STS-ORDER-SCALEDOWN'), 'web-1 began terminating');
  });

  it('an Event far from the termination (over 10 s) is not attributed to it', () => {
    const far = mutate(insertBefore(outOfOrder, scaleDownTermination('web-1'), taintEvent('web-1')), (d) => {
      const i = d.timeline.findIndex((e) => e.type !== 'MARKER' && e.event?.reason === 'TaintManagerEviction');
      // Everything from the Event on happens 20 s later: the Event stays 20 s before the termination.
      for (const e of d.timeline.slice(i + 1)) {
        e.t += 20_000;
        e.wall += 20_000;
      }
    });
    expect(taintEvictionsIn(inOrder(far.timeline))).to.deep.equal([]);
    expectFailure(resultOf(far, 'STS-ORDER-SCALEDOWN'), 'web-1 began terminating');
  });

  describe('STS-RECOVERY: "no pod that was not killed is replaced"', () => {
    const unplanned = MUTATIONS.find((m) => m.check === 'STS-RECOVERY' && m.name.includes('not killed'));
    const planted = unplanned?.apply(good);
    if (!planted) throw new Error('the mutation no longer applies to the builder');
    const victim = planted.needle;

    it('fails for an unkilled pod replaced with no sign of taint eviction', () => {
      expectFailure(resultOf(planted.input, 'STS-RECOVERY'), `${victim} was not killed`);
    });

    it('passes, with the eviction in evidence, when the taint-eviction controller deleted it', () => {
      // Before the old pod's DELETED and its replacement's ADDED, whichever the mutation recorded first.
      const gone = (e: TimelineEntry): boolean => isPod(e, victim) && (e.type === 'DELETED' || !!e.pod?.uid.endsWith('-unplanned'));
      const evicted = insertBefore(planted.input, gone, taintEvent(victim));
      const found = taintEvictionsIn(inOrder(evicted.timeline));
      expect(found.map((v) => [v.pod, v.via, v.node])).to.deep.equal([[victim, 'event', NODE]]);
      const r = resultOf(evicted, 'STS-RECOVERY');
      expect(r.status, r.message).to.equal('passed');
      const row = r.evidence.find((e) => e.subject === `pod ${victim}` && e.observed?.includes('taint eviction'));
      expect(row?.observed).to.include('not killed by the run but deleted by taint eviction on node').and.include('replaced by uid');
    });
  });

  it("STS-ORDER-RECREATE still judges the controller's replacement of an evicted pod, naming the eviction", () => {
    const bad = MUTATIONS.find((m) => m.check === 'STS-ORDER-RECREATE')?.apply(good);
    if (!bad) throw new Error('the mutation no longer applies to the builder');
    // The recreated pod's previous generation is shown as deleted by the node's taint.
    const evicted = mutate(bad.input, (d) => {
      for (const e of d.timeline)
        if (
          isPod(
            e,
            bad.needle.replace(/\d+$/, (n) => String(Number(n) + 1)),
          ) &&
          (e.pod?.deletionTimestamp || e.type === 'DELETED') &&
          e.pod
        )
          e.pod.disruptionTarget = 'DeletionByTaintManager';
    });
    const r = resultOf(evicted, 'STS-ORDER-RECREATE');
    expectFailure(r, bad.needle, `was deleted (by taint eviction on node ${NODE})`);
  });
});

// Recorded on the local cluster (3 nodes, --toleration-seconds 10): `--replicas 4 --chaos
// node-fault --rounds 1 --seed 32 --traffic off`. The node fault took node 10.200.1.1,
// which ran web-3 (the target) and web-0: the taint-eviction controller deleted both, and
// the controller replaced both. Before taint eviction was recognised, STS-RECOVERY failed
// this run with "web-0 was not killed but its pod … was replaced".
describe('taint eviction on a recorded run: a node fault takes a second pod with it', () => {
  const load = (): CheckInput =>
    JSON.parse(
      readFileSync(new URL('../../fixtures/web-4x1-seed32-taint-eviction.checkinput.json', import.meta.url), 'utf8'),
    ) as CheckInput;
  const recorded = load();

  it('finds both evictions by the DisruptionTarget condition, on the faulted node', () => {
    const found = taintEvictionsIn(inOrder(recorded.timeline)).map((v) => [v.pod, v.via, v.node]);
    expect(found).to.deep.equal([
      ['web-3', 'condition', '10.200.1.1'],
      ['web-0', 'condition', '10.200.1.1'],
    ]);
  });

  it('STS-RECOVERY passes, naming web-0 as deleted by the node, not killed', () => {
    const r = resultOf(recorded, 'STS-RECOVERY');
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include('no other pod was replaced but those the node deleted: web-0 (taint eviction on node 10.200.1.1)');
    const row = r.evidence.find((e) => e.subject === 'pod web-0');
    expect(row?.observed)
      .to.include('not killed by the run but deleted by taint eviction on node 10.200.1.1')
      .and.include('DisruptionTarget DeletionByTaintManager');
  });

  it('the Event alone is enough (recordings made before the condition was recorded)', () => {
    const noCondition = mutate(recorded, (d) => {
      for (const e of d.timeline) if (e.type !== 'MARKER' && e.pod) delete e.pod.disruptionTarget;
    });
    expect(taintEvictionsIn(inOrder(noCondition.timeline)).map((v) => [v.pod, v.via])).to.deep.equal([
      ['web-3', 'event'],
      ['web-0', 'event'],
    ]);
    expect(resultOf(noCondition, 'STS-RECOVERY').status).to.equal('passed');
  });

  it('without either sign, the same run fails STS-RECOVERY naming web-0 (what it did before)', () => {
    const unexplained = mutate(recorded, (d) => {
      d.timeline = d.timeline.filter((e) => e.type === 'MARKER' || e.event?.reason !== 'TaintManagerEviction');
      for (const e of d.timeline) if (e.type !== 'MARKER' && e.pod) delete e.pod.disruptionTarget;
    });
    expectFailure(resultOf(unexplained, 'STS-RECOVERY'), 'web-0 was not killed');
  });
});
