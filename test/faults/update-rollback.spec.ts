// STS-UPDATE-ROLLBACK against a rollback undone behind the run's back. --update rollback
// changes the template in round 1 and puts the original back in round 2; right after
// round 2's kill, the hook re-applies the forward template (the same annotation), as a
// GitOps controller fighting the rollback would. The controller rolls the pods to the
// forward revision again; the run's wait for the original revision times out (--timeout
// 60) and every pod ends at the forward revision: the check must fail naming them.
import { expect } from 'chai';
import { at, evidenceText, expectCheck, expectExit, faultRun, hooks } from './support.ts';
import { patchSpec, revisionOf, seedForUpdate } from './update-support.ts';

let forward = '';

faultRun(
  'fault: during the rollback, the forward template is applied again',
  {
    argv: ['--rounds', '2', '--update', 'rollback', '--seed', String(seedForUpdate(['web-1'], 'delete', 2)), '--timeout', '60'],
    // The forward revision is read before round 2 opens the rollback (a kill in it may bring a pod back at the original).
    hook: hooks(
      at(
        'before-kills',
        async (ctx) => {
          forward = revisionOf(ctx, 'web-0');
        },
        2,
      ),
      at(
        'after-kills',
        async (ctx) => {
          const runId = ctx.workload.info.namespace.replace(/^ordinal-/, '');
          await patchSpec(
            ctx,
            { template: { metadata: { annotations: { 'ordinal.dev/update': `${runId} forward` } } } },
            'the forward template back (annotation ordinal.dev/update)',
          );
        },
        2,
      ),
    ),
  },
  (t) => {
    it('STS-UPDATE-ROLLBACK fails, naming web-0 and web-1 at the forward revision when the rollback ended', function () {
      const c = expectCheck(t.run, 'STS-UPDATE-ROLLBACK', 'failed', 'pod web-0');
      expect(forward).to.match(/^web-/);
      expect(c.message).to.match(
        new RegExp(
          `^web-0 was at revision ${forward} \\(uid \\S+, as of t=\\d+(\\.\\d+)?ms\\) when the rollback ended \\(t=\\d+(\\.\\d+)?ms\\), not the original revision \\S+; the run's wait ended: `,
        ),
      );
      expect(evidenceText(c)).to.include(`pod web-1 the original revision`).and.include(`revision ${forward}`);
    });

    it('the forward step is judged in order and every pod reached it: STS-UPDATE-ORDER and -PARTITION pass', function () {
      expectCheck(t.run, 'STS-UPDATE-ORDER', 'passed', 'pod web-2');
      expectCheck(t.run, 'STS-UPDATE-PARTITION', 'passed', 'pod web-0');
      const failed = t.run.result.checks.filter((c) => c.status === 'failed').map((c) => c.id);
      expect(failed.filter((id) => !['STS-UPDATE-ROLLBACK', 'STS-RECOVERY'].includes(id))).to.deep.equal([]);
      expectExit(t.run, 1);
    });
  },
);
