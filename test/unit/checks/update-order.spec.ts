// STS-UPDATE-ORDER and STS-UPDATE-ROLLBACK on recorded-like update phases: a correct
// RollingUpdate and rollback, then the violations a broken controller would record.
import { expect } from 'chai';
import { NO_UPDATE } from '../../../lib/timeline/update.ts';
import { expectFailure, resultOf } from '../helpers/assertions.ts';
import { NEW, OLD, UpdateScript, onDeleteForward, rollingBack, rollingForward } from '../helpers/update-builder.ts';

const ORDER = 'STS-UPDATE-ORDER';
const ROLLBACK = 'STS-UPDATE-ROLLBACK';

/** Forward step opened (start + revision), for a test to script the replacements. */
const opened = (o: Parameters<UpdateScript['start']>[1] = {}, scenario: ConstructorParameters<typeof UpdateScript>[0] = {}): UpdateScript =>
  new UpdateScript(scenario).start('forward', o).tick(100).revision('forward', NEW).tick(200);

describe('STS-UPDATE-ORDER', () => {
  it('passes a RollingUpdate that replaces web-2, web-1, web-0 in turn, each after the one above is Ready at the new revision', () => {
    const r = resultOf(rollingForward(new UpdateScript()).input, ORDER);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.equal(
      `forward update to ${NEW}: replaced web-2, web-1, web-0, highest first, each once the pods above were at ${NEW} and Ready`,
    );
    expect(r.evidence.map((e) => e.subject)).to.deep.equal(['pod web-2', 'pod web-1', 'pod web-0']);
    expect(r.evidence[1]?.observed).to.match(new RegExp(`it was at revision ${OLD}\\); allowed at t=\\d+ms; back at revision ${NEW}`));
  });

  it('is skipped without an update phase, and with OnDelete', () => {
    for (const id of [ORDER, 'STS-UPDATE-PARTITION', 'STS-UPDATE-ONDELETE', ROLLBACK]) {
      const r = resultOf(new UpdateScript().input, id);
      expect(r.status, id).to.equal('skipped');
      expect(r.message, id).to.equal(NO_UPDATE);
    }
    const r = resultOf(onDeleteForward(new UpdateScript()).input, ORDER);
    expect(r.status).to.equal('skipped');
    expect(r.message).to.match(/^updateStrategy is OnDelete: /);
  });

  it('fails an out-of-order update: web-1 replaced while web-2 is still at the old revision', () => {
    const s = opened().replace(1, NEW).replace(2, NEW).replace(0, NEW).complete('forward');
    const r = resultOf(s.input, ORDER);
    expectFailure(r, 'web-1', `web-2 at revision ${OLD}`);
    expect(r.message).to.match(
      /^web-1 was replaced for the update at t=\d+ms \(it was at revision web-7c9f8d6b5\) although at no moment since the forward update began/,
    );
    expect(r.evidence.find((e) => e.subject === 'pod web-1')?.expected).to.include(
      `the pods above web-1 at revision ${NEW} and every pod Running and Ready`,
    );
  });

  it('fails a replacement made before the pod above was Ready again', () => {
    const s = opened().terminate(2).recreate(2, NEW, false).replace(1, NEW).readyNow(2).replace(0, NEW).complete('forward');
    const r = resultOf(s.input, ORDER);
    expectFailure(r, 'web-1', 'web-2 not Running and Ready', 'Running, not ready');
    expect(r.message).to.match(/^web-1 was replaced/);
  });

  it('fails two replacements at once without maxUnavailable', () => {
    const s = opened()
      .startTerminating(2)
      .startTerminating(1)
      .gone(2)
      .gone(1)
      .recreate(1, NEW)
      .recreate(2, NEW)
      .replace(0, NEW)
      .complete('forward');
    expectFailure(resultOf(s.input, ORDER), 'web-1', `web-2 at revision ${OLD}`, 'terminating');
  });

  it('with maxUnavailable 2 allows two at once, and fails three', () => {
    const two = opened({ maxUnavailable: 2 })
      .startTerminating(2)
      .startTerminating(1)
      .gone(2)
      .gone(1)
      .recreate(1, NEW)
      .recreate(2, NEW)
      .replace(0, NEW)
      .complete('forward');
    const ok = resultOf(two.input, ORDER);
    expect(ok.status, ok.message).to.equal('passed');
    const three = opened({ maxUnavailable: 2 }, { options: { podManagementPolicy: 'Parallel' } })
      .startTerminating(2)
      .startTerminating(1)
      .startTerminating(0)
      .gone(2)
      .gone(1)
      .gone(0)
      .recreate(0, NEW)
      .recreate(1, NEW)
      .recreate(2, NEW)
      .complete('forward');
    const r = resultOf(three.input, ORDER);
    expectFailure(r, 'web-0', 'beyond maxUnavailable 2', 'at most 2 pods unavailable');
  });

  it('lets a pod the run killed come back at the new revision out of turn', () => {
    const s = opened().kill(0).recreate(0, NEW).tick(300).replace(2, NEW).replace(1, NEW).complete('forward');
    const r = resultOf(s.input, ORDER);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.include('replaced web-2, web-1, highest first');
    expect(r.evidence.find((e) => e.subject === 'pod web-0')?.observed).to.match(
      new RegExp(`ended by kill at t=\\d+ms during the update; came back at revision ${NEW}`),
    );
  });

  it('fails a pod deleted by someone else than the run (no kill marker) that comes back new while the pods above are old', () => {
    const s = opened().replace(0, NEW).replace(2, NEW).replace(1, NEW).complete('forward');
    expectFailure(resultOf(s.input, ORDER), 'web-0 was replaced for the update', `web-1 at revision ${OLD}`, `web-2 at revision ${OLD}`);
  });

  it('with OrderedReady a not-Ready lower pod blocks the update; with Parallel it does not', () => {
    const script = (parallel: boolean) =>
      opened({}, parallel ? { options: { podManagementPolicy: 'Parallel' } } : {})
        .kill(0)
        .recreate(0, NEW, false)
        .replace(2, NEW)
        .replace(1, NEW)
        .readyNow(0)
        .complete('forward');
    expectFailure(resultOf(script(false).input, ORDER), 'web-2', 'web-0 not Running and Ready');
    const r = resultOf(script(true).input, ORDER);
    expect(r.status, r.message).to.equal('passed');
  });

  it('with minReadySeconds the pod above must be Available, not just Ready', () => {
    const early = opened({}, { options: { minReadySeconds: 2 }, readyHoldMs: 2500 })
      .replace(2, NEW)
      .replace(1, NEW)
      .tick(2500)
      .replace(0, NEW)
      .tick(2500)
      .complete('forward');
    expectFailure(resultOf(early.input, ORDER), 'web-1', 'web-2 not Running, Ready and Available (minReadySeconds 2)');
    const held = opened({}, { options: { minReadySeconds: 2 }, readyHoldMs: 2500 })
      .replace(2, NEW)
      .tick(2500)
      .replace(1, NEW)
      .tick(2500)
      .replace(0, NEW)
      .tick(2500)
      .complete('forward');
    const r = resultOf(held.input, ORDER);
    expect(r.status, r.message).to.equal('passed');
  });

  it('is error, not failed, when the pod watch was down over a window without an allowed moment', () => {
    const s = opened();
    const from = s.t;
    s.replace(1, NEW).gap(from, s.t).replace(2, NEW).replace(0, NEW).complete('forward');
    const r = resultOf(s.input, ORDER);
    expect(r.status, r.message).to.equal('error');
    expect(r.message).to.match(/^web-1's replacement at t=\d+ms could not be judged: the pod watch was down/);
  });

  it('is error when the step ended unobserved, or the controller never named the update revision', () => {
    const s = new UpdateScript()
      .start('forward')
      .tick(200)
      .replace(2, NEW)
      .complete('forward', { aborted: 'status.updateRevision never changed' });
    const r = resultOf(s.input, ORDER);
    expect(r.status).to.equal('error');
    expect(r.message).to.equal("the controller never reported the forward step's update revision (no update-revision marker)");
    const u = rollingForward(new UpdateScript());
    const done = u.input.timeline.at(-1);
    if (done?.type === 'MARKER' && done.marker === 'update-complete')
      Object.assign(done, { converged: false, unobserved: 'pod watch lost' });
    const r2 = resultOf(u.input, ORDER);
    expect(r2.status).to.equal('error');
    expect(r2.message).to.equal('the forward update could not be followed to its end: pod watch lost');
  });
});

describe('STS-UPDATE-ROLLBACK', () => {
  const forward = (): UpdateScript => rollingForward(new UpdateScript()).tick(500);

  it('passes a rollback that takes web-2, web-1, web-0 back to the original revision in order', () => {
    const r = resultOf(rollingBack(forward()).input, ROLLBACK);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.match(
      new RegExp(
        `^rolled back to ${OLD}: every pod at it when the rollback ended \\(t=\\d+ms\\); replaced web-2, web-1, web-0, highest first$`,
      ),
    );
    // The forward step is still judged by STS-UPDATE-ORDER alone.
    expect(resultOf(rollingBack(forward()).input, ORDER).status).to.equal('passed');
  });

  it('is skipped when the update had no rollback step', () => {
    const r = resultOf(forward().input, ROLLBACK);
    expect(r.status).to.equal('skipped');
    expect(r.message).to.equal("the run's update (mode template) had no rollback step");
  });

  it('fails a rollback that ends with pods at the new revision, naming them', () => {
    const s = forward()
      .start('rollback', { from: NEW })
      .tick(100)
      .revision('rollback', OLD)
      .tick(200)
      .replace(2, OLD)
      .tick(100)
      .complete('rollback', { aborted: 'web-1, web-0 still at the new revision after 300 s' });
    const r = resultOf(s.input, ROLLBACK);
    expectFailure(r, 'web-1', `revision ${NEW}`, `not the original revision ${OLD}`, 'still at the new revision after 300 s');
    expect(r.message).to.match(
      /^web-0 was at revision web-5f4d8c7b9 \(uid web-0-uid-\d+, as of t=\d+ms\) when the rollback ended .*\(and 1 more\)$/,
    );
    expect(r.evidence.map((e) => e.subject)).to.include.members(['pod web-1', 'pod web-0']);
  });

  it('fails a rollback out of order: web-0 back to the original before web-2 and web-1', () => {
    const s = forward()
      .start('rollback', { from: NEW })
      .tick(100)
      .revision('rollback', OLD)
      .tick(200)
      .replace(0, OLD)
      .replace(2, OLD)
      .replace(1, OLD)
      .complete('rollback');
    expectFailure(resultOf(s.input, ROLLBACK), 'web-0 was replaced for the update', `web-2 at revision ${NEW}`);
  });

  it('is error when the rollback never ended or was not observed to its end', () => {
    const s = forward().start('rollback', { from: NEW }).tick(100).revision('rollback', OLD).replace(2, OLD);
    const r = resultOf(s.input, ROLLBACK);
    expect(r.status).to.equal('error');
    expect(r.message).to.equal('the run stopped before the rollback update completed (no update-complete marker)');
    const u = resultOf(rollingBack(forward()).complete('rollback', { unobserved: 'x' }).input, ROLLBACK);
    expect(u.status).to.equal('passed'); // the first update-complete of the step counts
  });

  it('with OnDelete judges the end state only: the run deleted each pod itself', () => {
    const s = onDeleteForward(new UpdateScript())
      .tick(500)
      .start('rollback', { strategy: 'OnDelete', from: NEW })
      .tick(100)
      .revision('rollback', OLD);
    for (const k of [0, 2, 1]) s.operatorDelete(k).recreate(k, OLD);
    const r = resultOf(s.complete('rollback').input, ROLLBACK);
    expect(r.status, r.message).to.equal('passed');
    expect(r.message).to.equal(`rolled back to ${OLD}: every pod at it when the rollback ended (t=${s.t}ms)`);
  });
});
