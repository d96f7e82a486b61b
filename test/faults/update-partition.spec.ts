// STS-UPDATE-PARTITION against a partition lowered behind the run's back. A RollingUpdate
// (--update template, --partition 1) starts at round 1, whose kill deletes web-2 while it
// rolls; right after it, the hook patches the StatefulSet's partition to 0, as an operator
// or a controller fighting the run would. The controller then updates web-0 too, below the
// run's partition: the check must fail naming web-0 at the new revision. The run's wait
// usually sees every pod where it expects it (web-0 still old) just before the controller
// reaches web-0, so the step ends converged and web-0 changes after it; judged all the
// same, since a pod below the partition keeps the old revision for as long as the
// forward update is in force.
import { expect } from 'chai';
import { at, evidenceText, expectCheck, expectExit, faultRun } from './support.ts';
import { patchSpec, revisionOf, seedForUpdate } from './update-support.ts';

let original = '';

faultRun('fault: during a RollingUpdate with partition 1, the partition is lowered to 0', {
  argv: ['--rounds', '1', '--update', 'template', '--partition', '1', '--seed', String(seedForUpdate(['web-2'], 'delete', 1)), '--timeout', '60'],
  hook: at('after-kills', async (ctx) => {
    original = revisionOf(ctx, 'web-0');
    await patchSpec(ctx, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } }, 'rollingUpdate.partition 1 -> 0');
  }, 1),
}, (t) => {
  it('STS-UPDATE-PARTITION fails, naming web-0: below the partition, replaced at the new revision', function () {
    const c = expectCheck(t.run, 'STS-UPDATE-PARTITION', 'failed', 'pod web-0');
    expect(original).to.match(/^web-/);
    expect(c.message).to.match(new RegExp(`^web-0 \\(uid \\S+, recreated after its previous pod \\(uid \\S+\\) ended by a deletion the run did not make at t=\\d+(\\.\\d+)?ms\\) was at revision \\S+ at t=\\d+(\\.\\d+)?ms although it is below the partition \\(ordinal < 1\\) and must keep ${original}$`));
    expect(evidenceText(c)).to.not.match(/web-[12] \(uid/);
  });

  it('STS-UPDATE-ORDER does not blame web-0 (below the partition, or after the step) and passes; only STS-UPDATE-PARTITION and STS-RECOVERY may fail', function () {
    const order = expectCheck(t.run, 'STS-UPDATE-ORDER', 'passed', 'pod web-2');
    for (const e of order.evidence.filter((x) => x.subject === 'pod web-0')) expect(e.note).to.equal('below the partition (ordinal < 1): STS-UPDATE-PARTITION judges it');
    const failed = t.run.result.checks.filter((c) => c.status === 'failed').map((c) => c.id);
    expect(failed).to.include('STS-UPDATE-PARTITION');
    expect(failed.filter((id) => !['STS-UPDATE-PARTITION', 'STS-RECOVERY'].includes(id))).to.deep.equal([]);
    expectExit(t.run, 1);
  });
});
