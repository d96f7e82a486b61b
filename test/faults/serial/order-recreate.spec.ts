// STS-ORDER-RECREATE against a replacement made out of order: with the controller-manager
// stopped (component.sh, by recorded PID), the round force-deletes web-0 and web-1
// (the seed is chosen for it), and web-1 is created by hand while web-0 is still absent. When the
// controller-manager is back, the StatefulSet controller adopts web-1 and creates web-0.
import { adoptablePod, at, createPod, expectCheck, expectExit, faultRun, hooks, Outage, seedKilling, waitPod } from '../support.ts';

const outage = new Outage();

faultRun(
  'fault: controller-manager stopped, web-1 recreated by hand while web-0 is absent',
  {
    argv: ['--rounds', '1', '--seed', String(seedKilling('web', ['web-0', 'web-1'], 'force-delete')), '--timeout', '120'],
    hook: hooks(
      at(
        'before-kills',
        async (ctx) => {
          await outage.stop('kube-controller-manager');
          ctx.log('fault: kube-controller-manager stopped');
        },
        1,
      ),
      at(
        'after-kills',
        async (ctx) => {
          await waitPod(ctx, 'web-0', 'gone', (p) => p === undefined);
          await waitPod(ctx, 'web-1', 'gone', (p) => p === undefined);
          await createPod(ctx, await adoptablePod(ctx, 1));
          await outage.start('kube-controller-manager');
          ctx.log('fault: kube-controller-manager started again');
        },
        1,
      ),
    ),
    cleanup: () => outage.restore(),
  },
  (t) => {
    it('STS-ORDER-RECREATE fails, naming pod web-1', function () {
      expectCheck(t.run, 'STS-ORDER-RECREATE', 'failed', 'pod web-1');
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
