// STS-UPDATE-PARTITION against a partition lowered behind the run's back. A RollingUpdate
// (--update template, --partition 1) starts at round 1, whose kill deletes web-2 while it
// rolls; right after it, the hook patches the StatefulSet's partition to 0, as an operator
// or a controller fighting the run would. The controller then updates web-0 too, below the
// run's partition: the check must fail naming web-0 at the new revision. The hook waits
// until web-0 is back Ready at it, so the fault is complete before the run's own wait
// begins (and the after-snapshot's DNS sees settled pods); that wait, for web-0 at the
// old revision, then times out (--timeout 60): the step ends aborted and the round did
// not converge, which STS-RECOVERY reports too.
import { expect } from 'chai';
import { at, evidenceText, expectCheck, expectExit, faultRun, waitPod } from './support.ts';
import { patchSpec, revisionOf, seedForUpdate } from './update-support.ts';

let original = '';

faultRun(
  'fault: during a RollingUpdate with partition 1, the partition is lowered to 0',
  {
    argv: [
      '--rounds',
      '1',
      '--update',
      'template',
      '--partition',
      '1',
      '--seed',
      String(seedForUpdate(['web-2'], 'delete', 1)),
      '--timeout',
      '60',
    ],
    hook: at(
      'after-kills',
      async (ctx) => {
        original = revisionOf(ctx, 'web-0');
        await patchSpec(
          ctx,
          { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } },
          'rollingUpdate.partition 1 -> 0',
        );
        await waitPod(
          ctx,
          'web-0',
          `back Ready at the new revision (not ${original})`,
          (p) => !!p && p.revision !== original && !!p.ready && !p.deletionTimestamp,
          120_000,
        );
      },
      1,
    ),
  },
  (t) => {
    it('STS-UPDATE-PARTITION fails, naming web-0: below the partition, replaced at the new revision', function () {
      const c = expectCheck(t.run, 'STS-UPDATE-PARTITION', 'failed', 'pod web-0');
      expect(original).to.match(/^web-/);
      expect(c.message).to.match(
        new RegExp(
          `^web-0 \\(uid \\S+, recreated after its previous pod \\(uid \\S+\\) ended by a deletion the run did not make at t=\\d+(\\.\\d+)?ms\\) was at revision \\S+ at t=\\d+(\\.\\d+)?ms although it is below the partition \\(ordinal < 1\\) and must keep ${original}$`,
        ),
      );
      expect(evidenceText(c)).to.not.match(/web-[12] \(uid/);
    });

    it('STS-UPDATE-ORDER leaves web-0 to it and passes; only STS-UPDATE-PARTITION and STS-RECOVERY (the round never converged) fail', function () {
      const order = expectCheck(t.run, 'STS-UPDATE-ORDER', 'passed', 'pod web-0');
      expect(order.evidence.find((e) => e.subject === 'pod web-0')?.note).to.equal(
        'below the partition (ordinal < 1): STS-UPDATE-PARTITION judges it',
      );
      const failed = t.run.result.checks.filter((c) => c.status === 'failed').map((c) => c.id);
      expect(failed).to.include('STS-UPDATE-PARTITION');
      expect(failed.sort()).to.deep.equal(['STS-RECOVERY', 'STS-UPDATE-PARTITION']);
      expectExit(t.run, 1);
    });
  },
);
