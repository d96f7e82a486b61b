// STS-UPDATE-PARTITION and STS-UPDATE-ONDELETE on recorded-like update phases: which
// revision each pod may be at, including pods the run killed mid-update.
import { expect } from 'chai';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { NEW, OLD, UpdateScript, onDeleteForward, rollingForward } from '../helpers/update-builder.ts';

const PARTITION = 'STS-UPDATE-PARTITION';
const ONDELETE = 'STS-UPDATE-ONDELETE';

describe('STS-UPDATE-PARTITION', () => {
  const opened = (partition: number): UpdateScript =>
    new UpdateScript().start('forward', { partition }).tick(100).revision('forward', NEW).tick(200);

  it('passes partition 1: web-0 keeps the old revision, web-1 and web-2 end at the new one', () => {
    const r = resultOf(rollingForward(new UpdateScript(), { partition: 1 }).input, PARTITION);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.equal(`partition 1: web-0 kept ${OLD}; web-1, web-2 ended at ${NEW}`);
    // The controller's replacements of web-2 and web-1 are in order, and nothing below the partition moved.
    expect(resultOf(rollingForward(new UpdateScript(), { partition: 1 }).input, 'STS-UPDATE-ORDER').status).to.equal('passed');
  });

  it('passes partition 0 (every pod ends at the new revision) and is skipped with OnDelete', () => {
    const r = resultOf(rollingForward(new UpdateScript()).input, PARTITION);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.equal(`partition 0: no pod is held back; web-0, web-1, web-2 ended at ${NEW}`);
    const od = resultOf(onDeleteForward(new UpdateScript()).input, PARTITION);
    expect(od.status).to.equal('skipped');
    expect(od.message).to.match(/^updateStrategy is OnDelete: there is no partition/);
  });

  it('passes a pod below the partition that the run killed mid-update and that came back at the old revision', () => {
    const s = opened(2).replace(2, NEW).kill(0).recreate(0, OLD).tick(100).kill(1).recreate(1, OLD).complete('forward');
    const r = resultOf(s.input, PARTITION);
    expect(r.status, r.message).to.equal('passed');
    expect(r.evidence.find((e) => e.subject === 'pod web-0')?.observed).to.match(
      new RegExp(`^kept revision ${OLD} \\(recreated at t=\\d+ms at ${OLD}\\)$`),
    );
  });

  it('fails a pod below the partition killed mid-update that came back at the new revision, naming it', () => {
    const s = opened(1).replace(2, NEW).kill(0).recreate(0, NEW).replace(1, NEW).complete('forward');
    const r = resultOf(s.input, PARTITION);
    expectFailure(r, 'web-0', `revision ${NEW}`, `must keep ${OLD}`, 'ended by kill');
    expect(r.message).to.match(
      /^web-0 \(uid web-0-uid-\d+, recreated after its previous pod \(uid web-0-uid-\d+\) ended by kill at t=\d+ms\) was at revision web-5f4d8c7b9 at t=\d+ms although it is below the partition \(ordinal < 1\)/,
    );
  });

  it("fails the controller updating a pod below the partition (as with partition lowered behind the run's back); STS-UPDATE-ORDER leaves it to this check", () => {
    const s = opened(1)
      .replace(2, NEW)
      .replace(1, NEW)
      .tick(200)
      .replace(0, NEW)
      .complete('forward', { aborted: 'web-0 at the new revision' });
    expectFailure(resultOf(s.input, PARTITION), 'web-0', 'a deletion the run did not make', `revision ${NEW}`);
    const order = resultOf(s.input, 'STS-UPDATE-ORDER');
    expect(order.status, order.message).to.equal('passed');
    expect(order.evidence.find((e) => e.subject === 'pod web-0')?.note).to.equal(
      'below the partition (ordinal < 1): STS-UPDATE-PARTITION judges it',
    );
  });

  it('fails a pod at or above the partition that did not end at the new revision', () => {
    const s = opened(1).replace(2, NEW).tick(100).complete('forward', { aborted: 'web-1 still at the old revision after 300 s' });
    expectFailure(
      resultOf(s.input, PARTITION),
      `web-1 was at revision ${OLD}`,
      `not the update revision ${NEW}`,
      'still at the old revision after 300 s',
    );
  });

  it('is error when the pod watch was down as the step ended, and when the step ended unobserved', () => {
    const s = opened(1).replace(2, NEW);
    s.gap(s.t - 50, s.t + 500).complete('forward', { aborted: 'timed out' });
    const r = resultOf(s.input, PARTITION);
    expect(r.status).to.equal('error');
    expect(r.message).to.equal("the pod watch was down when the update ended: the pods' revisions then were not seen");
    const u = resultOf(opened(1).replace(2, NEW).complete('forward', { unobserved: 'API unreachable' }).input, PARTITION);
    expect(u.status).to.equal('error');
    expect(u.message).to.equal('the forward update could not be followed to its end: API unreachable');
  });
});

describe('STS-UPDATE-ONDELETE', () => {
  const opened = (): UpdateScript =>
    new UpdateScript().start('forward', { strategy: 'OnDelete' }).tick(100).revision('forward', NEW).tick(200);

  it('passes an OnDelete update where the run deleted each pod and each came back at the new revision', () => {
    const r = resultOf(onDeleteForward(new UpdateScript()).input, ONDELETE);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.equal(`forward step to ${NEW}: web-2, web-1, web-0 changed revision only through deletion and came back at it`);
  });

  it('is skipped with RollingUpdate', () => {
    const r = resultOf(rollingForward(new UpdateScript()).input, ONDELETE);
    expect(r.status).to.equal('skipped');
    expect(r.message).to.match(/^updateStrategy is RollingUpdate, not OnDelete: no pod waits for a deletion/);
  });

  it('passes a chaos kill during the update whose pod comes back at the new revision', () => {
    const s = opened().kill(1).recreate(1, NEW).operatorDelete(2).recreate(2, NEW).operatorDelete(0).recreate(0, NEW).complete('forward');
    const r = resultOf(s.input, ONDELETE);
    expect(r.status, r.message).to.equal('passed');
    expect(r.evidence.find((e) => e.subject === 'pod web-1')?.observed).to.match(
      new RegExp(`^ended by kill at t=\\d+ms; came back at revision ${NEW}`),
    );
  });

  it('fails a pod replaced although nobody the run knows deleted it (the controller rolling it)', () => {
    const s = opened().replace(2, NEW).operatorDelete(1).recreate(1, NEW).operatorDelete(0).recreate(0, NEW).complete('forward');
    const r = resultOf(s.input, ONDELETE);
    expectFailure(r, 'web-2', "neither the run's chaos nor an operator-delete deleted it", `came back at revision ${NEW}`);
    expect(r.message).to.match(/^web-2 \(uid web-2-uid-\d+, revision web-7c9f8d6b5\) began terminating at t=\d+ms/);
  });

  it('does not blame the controller for a pod the taint-eviction controller deleted (its node went away)', () => {
    const s = opened().pod('MODIFIED', 'web-2', { disruptionTarget: 'DeletionByTaintManager', ready: false }).replace(2, NEW);
    s.operatorDelete(1).recreate(1, NEW).operatorDelete(0).recreate(0, NEW).complete('forward');
    const r = resultOf(s.input, ONDELETE);
    expect(r.status, r.message).to.equal('passed');
    expect(r.evidence.find((e) => e.subject === 'pod web-2')?.observed).to.match(
      new RegExp(`^ended by taint-eviction at t=\\d+ms; came back at revision ${NEW}`),
    );
  });

  it('fails a deleted pod that comes back at the old revision', () => {
    const s = opened()
      .operatorDelete(2)
      .recreate(2, OLD)
      .operatorDelete(1)
      .recreate(1, NEW)
      .complete('forward', { aborted: 'web-2 not at the new revision' });
    expectFailure(resultOf(s.input, ONDELETE), `web-2 came back at revision ${OLD}`, `not the update revision ${NEW}`);
  });

  it('fails a pod whose revision changes without a deletion', () => {
    const s = opened().pod('MODIFIED', 'web-1', { revision: NEW }).complete('forward');
    expectFailure(resultOf(s.input, ONDELETE), `web-1 (uid web-1-uid-`, `changed revision ${OLD} -> ${NEW}`, 'without being deleted');
  });

  it('allows either revision for a pod deleted before the controller named the update revision, and a Failed pod the controller replaced', () => {
    const s = new UpdateScript().start('forward', { strategy: 'OnDelete' }).kill(2).recreate(2, OLD).revision('forward', NEW);
    s.pod('MODIFIED', 'web-1', { phase: 'Failed', ready: false }).terminate(1).recreate(1, NEW).complete('forward');
    const r = resultOf(s.input, ONDELETE);
    expect(r.status, r.message).to.equal('passed');
    expect(r.evidence.find((e) => e.subject === 'pod web-2')?.note).to.equal(
      'deleted before the controller reported the update revision: either revision is allowed',
    );
    expect(r.evidence.find((e) => e.subject === 'pod web-1')?.observed).to.match(/^ended by failed-pod/);
  });

  it('judges the rollback step the same way, and is error when a step ended unobserved', () => {
    const back = onDeleteForward(new UpdateScript())
      .tick(300)
      .start('rollback', { strategy: 'OnDelete', from: NEW })
      .tick(100)
      .revision('rollback', OLD);
    back.operatorDelete(0).recreate(0, NEW).complete('rollback');
    expectFailure(
      resultOf(back.input, ONDELETE),
      `web-0 came back at revision ${NEW}`,
      `not the update revision ${OLD} (rollback step, OnDelete)`,
    );
    const u = resultOf(opened().operatorDelete(2).recreate(2, NEW).complete('forward', { unobserved: 'pod watch lost' }).input, ONDELETE);
    expect(u.status).to.equal('error');
    expect(u.message).to.equal('the forward update could not be followed to its end: pod watch lost');
  });
});
