// Every check under the StatefulSet options: Parallel skips the ordering checks and
// nothing else; a start ordinal moves every name (and the ordering rule's predecessors);
// minReadySeconds makes "Ready" mean Available, one definition in lib/timeline/queries.ts.
import { expect } from 'chai';
import { planRounds } from '../../../lib/chaos/plan.ts';
import { runChecks } from '../../../lib/checks/catalog.ts';
import { isReady, readyMoment } from '../../../lib/timeline/queries.ts';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { PodState, TimelineEntry } from '../../../lib/timeline/entries.ts';
import { DEFAULT_STS_OPTIONS } from '../../../lib/workloads/sts-options.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput, uidOf } from '../helpers/timeline-builder.ts';
import { insertBefore, moveBefore, podEvent } from '../helpers/timeline-edit.ts';

const ORDERING = ['STS-ORDER-CREATE', 'STS-ORDER-RECREATE', 'STS-ORDER-SCALEDOWN'];

/** The same recording with every ordinal moved up by `by`, as a StatefulSet with ordinals.start = by records it. */
function shiftOrdinals(input: CheckInput, by: number): CheckInput {
  const text = JSON.stringify(input)
    .replace(/web-(\d+)(?![\w])/g, (_, n: string) => `web-${Number(n) + by}`)
    .replace(/"ordinal":(\d+)/g, (_, n: string) => `"ordinal":${Number(n) + by}`);
  const out = JSON.parse(text) as CheckInput;
  out.workload.options = { ...DEFAULT_STS_OPTIONS, startOrdinal: by };
  return out;
}

// web has no primary nor etcd members; these recordings have no eviction, so no budget to judge, no update phase
// and no register traffic.
const NOT_APPLICABLE = [
  'STS-LINEARIZABLE',
  'STS-BANK-INVARIANT',
  'STS-TOPOLOGY-PRIMARY',
  'STS-PDB',
  'STS-ETCD-MEMBERSHIP',
  'STS-UPDATE-ORDER',
  'STS-UPDATE-PARTITION',
  'STS-UPDATE-ONDELETE',
  'STS-UPDATE-ROLLBACK',
];

describe('checks under the StatefulSet options', () => {
  it('Parallel: the three ordering checks are skipped with that reason, every other check still judges', () => {
    const results = runChecks(buildWebInput({ options: { podManagementPolicy: 'Parallel' } }));
    for (const r of results) {
      if (ORDERING.includes(r.id)) {
        expect(r.status, r.id).to.equal('skipped');
        expect(r.message, r.id).to.match(/^podManagementPolicy is Parallel: /);
      } else if (NOT_APPLICABLE.includes(r.id)) expect(r.status, r.id).to.equal('skipped');
      else expect(r.status, `${r.id}: ${r.message}`).to.equal('passed');
    }
  });

  describe('start ordinal 3', () => {
    const good = shiftOrdinals(buildWebInput(), 3);

    it('every check passes, naming web-3..web-5, and the scale-down keeps web-3', () => {
      for (const r of runChecks(good)) {
        if (NOT_APPLICABLE.includes(r.id)) continue;
        expect(r.status, `${r.id}: ${r.message}`).to.equal('passed');
      }
      const create = resultOf(good, 'STS-ORDER-CREATE');
      expect(create.evidence.map((e) => e.subject)).to.deep.equal(['pod web-3', 'pod web-4', 'pod web-5']);
      expect(create.evidence[0]?.observed).to.include('ordinal 3, the first, has no predecessors');
      expect(create.evidence[2]?.observed).to.match(/web-3\.\.web-4 all Ready at/);
      expect(resultOf(good, 'STS-ORDER-SCALEDOWN').message).to.equal(
        'scaled 3 -> 1: web-5, web-4 removed highest first, one at a time, while web-3 stayed Ready',
      );
    });

    it('judged as if ordinals began at 0, the same recording does not pass: web-0..web-2 never existed', () => {
      const { options: _o, ...rest } = good.workload;
      const r = resultOf({ ...good, workload: rest }, 'STS-ORDER-CREATE');
      expect(r.status).to.equal('error');
      expect(r.message).to.match(/^web-0 was never seen created between deploy and rollout-complete/);
    });

    it('a real violation is still caught: web-5 created before web-4, named with its blocker', () => {
      const bad = moveBefore(good, podEvent('ADDED', 'web-5', uidOf('web-5', 0)), podEvent('ADDED', 'web-4', uidOf('web-4', 0)));
      const r = resultOf(bad, 'STS-ORDER-CREATE');
      expectFailure(r, 'web-5', 'web-4 (not created yet)');
      expect(r.message).to.match(/^web-5 was created/);
    });

    it('the kill plan picks the same positions as with ordinals from 0, named from the start ordinal', () => {
      const base = { seed: 42, statefulSet: 'web', replicas: 4, rounds: 5 };
      const from0 = planRounds(base);
      const from3 = planRounds({ ...base, startOrdinal: 3 });
      expect(from3.map((r) => r.kills.map((k) => k.ordinal))).to.deep.equal(from0.map((r) => r.kills.map((k) => k.ordinal + 3)));
      expect(from3.map((r) => r.kills.map((k) => k.action))).to.deep.equal(from0.map((r) => r.kills.map((k) => k.action)));
      expect(from3.flatMap((r) => r.kills.map((k) => k.pod)).every((p) => /^web-[3-6]$/.test(p))).to.equal(true);
      expect(() => planRounds({ ...base, startOrdinal: -1 })).to.throw('startOrdinal must be an integer >= 0');
    });
  });

  describe('minReadySeconds 2: Ready means Available', () => {
    it('pods created 0.35 s after their predecessor turned Ready break OrderedReady: failed, naming the not-yet-Available predecessor', () => {
      const input = buildWebInput({ options: { minReadySeconds: 2 } });
      const r = resultOf(input, 'STS-ORDER-CREATE');
      expectFailure(r, 'web-1', 'web-0', 'not yet Available (minReadySeconds 2)');
      expect(r.evidence.find((e) => e.subject === 'pod web-1')?.expected).to.include(
        'Running and Ready and Available (Ready for minReadySeconds 2)',
      );
      // …and a replacement Ready 0.1 s before the round ended was not Available in the round.
      expectFailure(resultOf(input, 'STS-RECOVERY'), 'web-1', 'Ready and Available (minReadySeconds 2)');
      // The same recording without minReadySeconds is fine: the option is what is judged.
      expect(resultOf(buildWebInput(), 'STS-ORDER-CREATE').status).to.equal('passed');
    });

    it('pods that stay Ready 2.5 s before the next step pass every check; Available is judged between entries', () => {
      const input = buildWebInput({ options: { minReadySeconds: 2 }, readyHoldMs: 2500 });
      for (const r of runChecks(input)) {
        if (NOT_APPLICABLE.includes(r.id)) continue;
        expect(r.status, `${r.id}: ${r.message}`).to.equal('passed');
      }
      expect(resultOf(input, 'STS-ORDER-CREATE').evidence[1]?.observed).to.match(
        /web-0 Ready and Available \(Ready for minReadySeconds 2\) at t=/,
      );
      // Kill -> Ready timings count to Available: at least 2 s after the kubelet's Ready stamp.
      for (const round of input.rounds) {
        for (const rec of round.recoveries) expect(rec.readyMs ?? 0, rec.pod).to.be.greaterThan(2000);
      }
    });
  });

  describe('--pvc-retention whenScaled=Delete and STS-PVC-BINDING', () => {
    const deleted = (claim: string, ordinal: number) =>
      ({
        type: 'DELETED',
        kind: 'PersistentVolumeClaim',
        name: claim,
        resourceVersion: '99999',
        pvc: { uid: `pvc-uid-${ordinal}`, phase: 'Bound', volumeName: `pv-${ordinal}` },
      }) as const;
    const scaled = buildWebInput({ options: { pvcRetention: { whenDeleted: 'Retain', whenScaled: 'Delete' } } });
    // Deletions after the scale-down and before the run deletes the StatefulSet.
    const append = (input: CheckInput, entry: Parameters<typeof insertBefore>[2]): CheckInput =>
      insertBefore(input, (e) => e.type === 'MARKER' && e.marker === 'statefulset-delete', entry);

    it('the claim of a scaled-away ordinal deleted after the scale-down is the policy at work, not a broken binding', () => {
      expect(resultOf(append(scaled, deleted('www-web-2', 2)), 'STS-PVC-BINDING').status).to.equal('passed');
      // With Retain (the default) the same deletion fails.
      expectFailure(resultOf(append(buildWebInput(), deleted('www-web-2', 2)), 'STS-PVC-BINDING'), 'www-web-2 was deleted');
    });

    it('claims deleted with the StatefulSet at the end (whenDeleted: Delete) are not a broken binding either', () => {
      const input = buildWebInput({ options: { pvcRetention: { whenDeleted: 'Delete', whenScaled: 'Retain' } } });
      expect(input.timeline.some((e) => e.type === 'DELETED' && e.kind === 'PersistentVolumeClaim' && e.name === 'www-web-0')).to.equal(
        true,
      );
      expect(resultOf(input, 'STS-PVC-BINDING').status).to.equal('passed');
    });

    it('still fails for a claim the scale-down keeps, and for a deletion before the scale-down', () => {
      expectFailure(resultOf(append(scaled, deleted('www-web-0', 0)), 'STS-PVC-BINDING'), 'www-web-0 was deleted');
      const early = insertBefore(scaled, (e) => e.type === 'MARKER' && e.marker === 'scale-down', deleted('www-web-2', 2));
      expectFailure(resultOf(early, 'STS-PVC-BINDING'), 'www-web-2 was deleted');
    });
  });

  describe('isReady and readyMoment: one definition of ready, Available with minReadySeconds', () => {
    const since = Date.parse('2025-05-01T12:00:00Z');
    const pod: PodState = { uid: 'u', phase: 'Running', ready: true, readySince: '2025-05-01T12:00:00Z', claims: {} };

    it('Ready is enough without minReadySeconds; with it, Ready since at least that long', () => {
      expect(isReady(pod)).to.equal(true);
      expect(isReady(pod, { wall: since })).to.equal(true);
      expect(isReady(pod, { minReadySeconds: 2, wall: since + 1999 })).to.equal(false);
      expect(isReady(pod, { minReadySeconds: 2, wall: since + 2000 })).to.equal(true);
      expect(isReady({ ...pod, ready: false }, { minReadySeconds: 0, wall: since + 5000 })).to.equal(false);
      expect(isReady({ ...pod, deletionTimestamp: 'x' }, { minReadySeconds: 2, wall: since + 5000 })).to.equal(false);
      // Without the condition's time the pod is taken as Available (never a false alarm).
      const { readySince: _r, ...noTime } = pod;
      expect(isReady(noTime, { minReadySeconds: 2, wall: since })).to.equal(true);
    });

    const entry = (seq: number, t: number, state?: Partial<PodState>): TimelineEntry =>
      state
        ? { seq, t, wall: since + t, type: 'MODIFIED', kind: 'Pod', name: 'web-0', resourceVersion: String(seq), pod: { ...pod, ...state } }
        : { seq, t, wall: since + t, type: 'MARKER', marker: 'after' };

    it('readyMoment places Available between entries, at readySince + minReadySeconds', () => {
      const entries = [entry(0, 0), entry(1, 300, {}), entry(2, 1500), entry(3, 5000)];
      expect(readyMoment(entries, 'web-0', 'u', { from: 0, to: 3 }, 0)?.t).to.equal(300);
      // The range closes at entries[to] (t=5000): the pod was Ready all along, Available at 2000.
      expect(readyMoment(entries, 'web-0', 'u', { from: 0, to: 3 }, 2)?.t).to.equal(2000);
      // It closes at t=1500, before the pod had been Ready long enough: not Available in it.
      expect(readyMoment(entries, 'web-0', 'u', { from: 0, to: 2 }, 2)).to.equal(undefined);
    });

    it('readyMoment restarts when the pod leaves Ready before it was Available', () => {
      const entries = [
        entry(0, 0),
        entry(1, 300, {}),
        entry(2, 1000, { ready: false }),
        entry(3, 3000, { readySince: '2025-05-01T12:00:03Z' }),
        entry(4, 9000),
      ];
      expect(readyMoment(entries, 'web-0', 'u', { from: 0, to: 5 }, 2)?.t).to.equal(5000);
    });
  });
});
