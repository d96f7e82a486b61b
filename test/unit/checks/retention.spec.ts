// STS-PVC-RETENTION on recorded timelines: whenScaled Delete needs every scaled-away
// claim DELETED before the run's wait ended; Retain needs none of them touched.
import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { TimelineEntry } from '../../../lib/timeline/entries.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { buildWebInput } from '../helpers/timeline-builder.ts';
import { clone, insertBefore } from '../helpers/timeline-edit.ts';

const ID = 'STS-PVC-RETENTION';
const DELETE = { pvcRetention: { whenDeleted: 'Retain', whenScaled: 'Delete' } } as const;
const isClaim =
  (name: string, type?: string) =>
  (e: TimelineEntry): boolean =>
    e.type !== 'MARKER' && e.kind === 'PersistentVolumeClaim' && e.name === name && (type === undefined || e.type === type);
const without = (input: CheckInput, drop: (e: TimelineEntry) => boolean): CheckInput => {
  const out = clone(input);
  out.timeline = out.timeline.filter((e) => !drop(e));
  return out;
};
const claimsScaled = (input: CheckInput): Extract<TimelineEntry, { marker: 'claims-scaled' }> => {
  const m = input.timeline.find((e) => e.type === 'MARKER' && e.marker === 'claims-scaled');
  if (m?.type !== 'MARKER' || m.marker !== 'claims-scaled') throw new Error('no claims-scaled marker');
  return m;
};

describe('STS-PVC-RETENTION', () => {
  it("Retain (the default): passes when the claims are kept through the scale-down and the StatefulSet's deletion", () => {
    const r = resultOf(buildWebInput(), ID);
    expect(r.status).to.equal('passed');
    expect(r.message).to.equal(
      'whenScaled Retain: www-web-2, www-web-1 kept through the scale-down 3 -> 1 and 10.0s after its pods were gone; whenDeleted Retain: www-web-0, www-web-1, www-web-2 kept after deleting the StatefulSet',
    );
  });

  it('whenDeleted Delete: passes when every claim goes with the StatefulSet; fails naming a claim that stays', () => {
    const both = { pvcRetention: { whenDeleted: 'Delete', whenScaled: 'Delete' } } as const;
    const good = buildWebInput({ options: both });
    expect(resultOf(good, ID).message).to.equal(
      'whenScaled Delete: www-web-2, www-web-1 deleted after the scale-down 3 -> 1; whenDeleted Delete: www-web-0 deleted with the StatefulSet',
    );
    const stays = without(good, (e) => isClaim('www-web-0', 'DELETED')(e) && e.t > claimsScaled(good).t);
    expectFailure(
      resultOf(stays, ID),
      'PVC www-web-0',
      'not deleted after the StatefulSet was deleted although whenDeleted is Delete: never marked for deletion',
    );
  });

  it('whenScaled Retain, whenDeleted Delete: the kept claims of scaled-away ordinals go with the StatefulSet, as they should', () => {
    const r = resultOf(buildWebInput({ options: { pvcRetention: { whenDeleted: 'Delete', whenScaled: 'Retain' } } }), ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.equal(
      'whenScaled Retain: www-web-2, www-web-1 kept through the scale-down 3 -> 1 and 10.0s after its pods were gone; whenDeleted Delete: www-web-0, www-web-1, www-web-2 deleted with the StatefulSet',
    );
  });

  it('whenDeleted Retain: fails for a claim deleted while the StatefulSet is deleted', () => {
    const input = buildWebInput();
    const bad = insertBefore(input, (e) => e.type === 'MARKER' && e.marker === 'statefulset-deleted', {
      type: 'DELETED',
      kind: 'PersistentVolumeClaim',
      name: 'www-web-0',
      resourceVersion: '9',
      pvc: { uid: 'pvc-uid-0', phase: 'Bound' },
    });
    expectFailure(resultOf(bad, ID), 'PVC www-web-0', 'after the StatefulSet was deleted although whenDeleted is Retain');
  });

  it('Retain: fails when a scaled-away claim is deleted after the scale-down, naming it', () => {
    const bad = insertBefore(buildWebInput(), (e) => e.type === 'MARKER' && e.marker === 'statefulset-delete', {
      type: 'DELETED',
      kind: 'PersistentVolumeClaim',
      name: 'www-web-2',
      resourceVersion: '9',
      pvc: { uid: 'pvc-uid-2', phase: 'Bound' },
    });
    expectFailure(resultOf(bad, ID), 'PVC www-web-2', 'after the scale-down 3 -> 1 although whenScaled is Retain', 'DELETED uid pvc-uid-2');
  });

  it('Retain, whenDeleted Delete: a claim the garbage collector deletes in the settle window after the scale-down fails whenScaled', () => {
    // Deleted 4 s after the scale-down's pods were gone: without the settle window it would fall
    // after the StatefulSet delete and pass as whenDeleted Delete.
    const input = buildWebInput({ options: { pvcRetention: { whenDeleted: 'Delete', whenScaled: 'Retain' } } });
    const complete = input.timeline.find((e) => e.type === 'MARKER' && e.marker === 'scale-down-complete');
    if (!complete) throw new Error('no scale-down-complete marker');
    const pvc = { uid: 'pvc-uid-1', phase: 'Bound', deletionTimestamp: '2025-05-01T12:00:30Z' };
    const bad = insertBefore(input, (e) => e.type === 'MARKER' && e.marker === 'claims-scaled', {
      type: 'MODIFIED',
      kind: 'PersistentVolumeClaim',
      name: 'www-web-1',
      resourceVersion: '9',
      pvc,
    });
    const at = bad.timeline.find(isClaim('www-web-1', 'MODIFIED'));
    if (at) at.t = complete.t + 4000;
    const r = resultOf(bad, ID);
    expectFailure(r, 'PVC www-web-1', 'marked for deletion at t=', 'after the scale-down 3 -> 1 although whenScaled is Retain');
  });

  it('Delete: passes when every scaled-away claim is DELETED before the wait ended', () => {
    const r = resultOf(buildWebInput({ options: DELETE }), ID);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.equal(
      'whenScaled Delete: www-web-2, www-web-1 deleted after the scale-down 3 -> 1; whenDeleted Retain: www-web-0 kept after deleting the StatefulSet',
    );
  });

  it('Delete: fails for a claim marked for deletion but never gone (a finalizer holds it), naming it', () => {
    const bad = without(buildWebInput({ options: DELETE }), isClaim('www-web-1', 'DELETED'));
    const r = resultOf(bad, ID);
    expectFailure(r, 'PVC www-web-1', 'marked for deletion at t=', 'never gone');
    // www-web-2 went as it should: shown as such, not as a problem.
    expect(r.evidence.find((e) => e.subject === 'PVC www-web-2')).to.deep.include({
      observed: `deleted at t=${r.evidence.find((e) => e.subject === 'PVC www-web-2')?.at}ms (uid pvc-uid-2)`,
    });
    expect(r.evidence.filter((e) => e.expected !== undefined).map((e) => e.subject)).to.deep.equal(['PVC www-web-1']);
  });

  it('Delete: fails for a claim never marked for deletion, with the reason the wait ended', () => {
    const input = buildWebInput({ options: DELETE });
    const bad = without(input, (e) => isClaim('www-web-2')(e) && e.t > claimsScaled(input).t - 2000);
    claimsScaled(bad).aborted = 'timed out after 30s waiting for the claims';
    expectFailure(resultOf(bad, ID), 'PVC www-web-2', 'never marked for deletion', 'timed out after 30s');
  });

  it('a DELETED after the wait ended does not count for Delete', () => {
    const input = buildWebInput({ options: DELETE });
    const late = without(input, isClaim('www-web-1', 'DELETED'));
    const again = insertBefore(late, (e) => e.type === 'MARKER' && e.marker === 'statefulset-delete', {
      type: 'DELETED',
      kind: 'PersistentVolumeClaim',
      name: 'www-web-1',
      resourceVersion: '9',
      pvc: { uid: 'pvc-uid-1', phase: 'Bound' },
    });
    expectFailure(resultOf(again, ID), 'PVC www-web-1');
  });

  it('error when the watch was lost during the wait; skipped without a scale-down or recorded options', () => {
    const lost = clone(buildWebInput({ options: DELETE }));
    claimsScaled(lost).unobserved = 'could not observe the cluster: watch on PersistentVolumeClaim down';
    expect(resultOf(lost, ID)).to.include({ status: 'error' });
    expect(resultOf(buildWebInput({ scaleDownTo: null }), ID).status).to.equal('skipped');
    const gone = without(buildWebInput(), (e) => e.type === 'MARKER' && e.marker === 'statefulset-deleted');
    expect(resultOf(gone, ID)).to.include({
      status: 'error',
      message: 'whenDeleted Retain could not be judged: the run stopped before the deletion was followed to its end',
    });
    const old = clone(buildWebInput());
    delete old.workload.options;
    expect(resultOf(old, ID).message).to.match(/recorded no StatefulSet options/);
    const noMarker = without(buildWebInput(), (e) => e.type === 'MARKER' && e.marker === 'claims-scaled');
    expect(resultOf(noMarker, ID)).to.include({ status: 'error' });
  });
});
