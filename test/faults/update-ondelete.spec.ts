// STS-UPDATE-ONDELETE against a controller that rolls pods nobody deleted. The run's
// StatefulSet uses OnDelete (--update-strategy OnDelete, --update template); round 1 opens
// the update, holds 5 s, deletes web-0 (its kill); right after, the hook patches the
// updateStrategy to RollingUpdate behind the run's back and waits until the controller
// has begun replacing web-2 itself, before the harness's operator deletes start. web-2
// changes revision without the run deleting it: the check must fail naming web-2.
import { expect } from 'chai';
import { at, evidenceText, expectCheck, expectExit, faultRun, waitPod } from './support.ts';
import { patchSpec, seedForUpdate, uidOf } from './update-support.ts';

faultRun(
  'fault: during an OnDelete update, the strategy is switched to RollingUpdate',
  {
    argv: [
      '--rounds',
      '1',
      '--update',
      'template',
      '--update-strategy',
      'OnDelete',
      '--seed',
      String(seedForUpdate(['web-0'], 'delete', 1)),
      '--timeout',
      '90',
    ],
    hook: at(
      'after-kills',
      async (ctx) => {
        const uid = uidOf(ctx, 'web-2');
        await patchSpec(
          ctx,
          { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } },
          'updateStrategy OnDelete -> RollingUpdate',
        );
        await waitPod(
          ctx,
          'web-2',
          `(uid ${uid}) terminating or replaced by the controller`,
          (p) => !p || p.uid !== uid || !!p.deletionTimestamp,
        );
      },
      1,
    ),
  },
  (t) => {
    it('STS-UPDATE-ONDELETE fails, naming web-2: terminating although neither chaos nor an operator delete deleted it', function () {
      const c = expectCheck(t.run, 'STS-UPDATE-ONDELETE', 'failed', 'pod web-2');
      expect(c.message).to.match(
        /^web-2 \(uid \S+, revision \S+\) began terminating at t=\d+(\.\d+)?ms although neither the run's chaos nor an operator-delete deleted it \(forward step, OnDelete\); it came back at revision \S+/,
      );
      // web-0, killed by the run, came back at the update revision: not a finding.
      expect(evidenceText(c)).to.match(/pod web-0\s+ended by kill/);
    });

    it('the RollingUpdate checks are skipped (the run recorded OnDelete); only STS-UPDATE-ONDELETE and STS-RECOVERY (a pod replaced without a kill) may fail', function () {
      for (const id of ['STS-UPDATE-ORDER', 'STS-UPDATE-PARTITION', 'STS-UPDATE-ROLLBACK']) {
        expect(t.run.result.checks.find((c) => c.id === id)?.status, id).to.equal('skipped');
      }
      const failed = t.run.result.checks.filter((c) => c.status === 'failed').map((c) => c.id);
      expect(failed.filter((id) => !['STS-UPDATE-ONDELETE', 'STS-RECOVERY'].includes(id))).to.deep.equal([]);
      expectExit(t.run, 1);
    });
  },
);
