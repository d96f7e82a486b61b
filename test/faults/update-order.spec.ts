// STS-UPDATE-ORDER against a pod replaced out of turn. A RollingUpdate (--update
// template) starts at round 1, whose kill deletes web-1 while it rolls; right after the
// kill, the hook deletes web-0 itself — not through a chaos kill, as a controller that
// ignored the order would — while web-2 and web-1 are not yet back Ready at the new
// revision. web-0 comes back at the new revision (partition 0) before the pods above it:
// the check must call that out of order, naming web-0, while web-1, which the run killed,
// may come back at the new revision out of turn.
import { expect } from 'chai';
import { at, deletePod, evidenceText, expectCheck, expectExit, faultRun } from './support.ts';
import { revisionOf, seedForUpdate } from './update-support.ts';

faultRun(
  'fault: during a RollingUpdate, web-0 is deleted before web-2 and web-1 are updated',
  {
    argv: ['--rounds', '1', '--update', 'template', '--seed', String(seedForUpdate(['web-1'], 'delete', 1)), '--timeout', '90'],
    hook: at(
      'after-kills',
      async (ctx) => {
        const old = revisionOf(ctx, 'web-0');
        const above = ['web-1', 'web-2'].map(
          (p) => `${p} at ${revisionOf(ctx, p) || 'none'} (${ctx.recorder.pods.get(p)?.ready ? 'ready' : 'not ready'})`,
        );
        ctx.log(`fault: web-0 at ${old}; ${above.join(', ')}`);
        await deletePod(ctx, 'web-0');
      },
      1,
    ),
  },
  (t) => {
    it('STS-UPDATE-ORDER fails, naming web-0, replaced while the pods above were not yet Ready at the new revision', function () {
      const c = expectCheck(t.run, 'STS-UPDATE-ORDER', 'failed', 'pod web-0');
      expect(c.message).to.match(
        /^web-0 was replaced for the update at t=\d+(\.\d+)?ms \(it was at revision \S+\) although at no moment since .* were the pods above web-0 at revision \S+ and every pod Running and Ready: /,
      );
      expect(evidenceText(c)).to.match(/web-[12] (at revision|not Running and Ready)/);
    });

    it("web-1, killed by the run, is not held against the order: it is listed as the kill's", function () {
      const c = t.run.result.checks.find((x) => x.id === 'STS-UPDATE-ORDER');
      const web1 = c?.evidence.filter((e) => e.subject === 'pod web-1') ?? [];
      expect(
        web1.map((e) => e.note),
        JSON.stringify(web1),
      ).to.include("not the controller's replacement: not judged for order");
      expect(c?.message).to.not.match(/^web-1/);
    });

    it('every pod still ends at the new revision: STS-UPDATE-PARTITION passes; no other check fails', function () {
      expectCheck(t.run, 'STS-UPDATE-PARTITION', 'passed', 'pod web-0');
      expect(t.run.result.checks.filter((c) => c.status === 'failed').map((c) => c.id)).to.deep.equal(['STS-UPDATE-ORDER']);
      expectExit(t.run, 1);
    });
  },
);
