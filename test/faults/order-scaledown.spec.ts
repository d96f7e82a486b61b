// STS-ORDER-SCALEDOWN against a deletion out of order: as soon as the scale-down to 1
// has web-2 terminating, web-1 is deleted by hand, before web-2 is gone.
import { at, deletePod, expectCheck, expectExit, faultRun, waitPod } from './support.ts';

faultRun(
  'fault: web-1 deleted by hand while the scale-down is terminating web-2',
  {
    argv: ['--rounds', '0', '--seed', '1'],
    hook: at('scale-down-requested', async (ctx) => {
      await waitPod(ctx, 'web-2', 'terminating', (p) => Boolean(p?.deletionTimestamp), 30_000);
      await deletePod(ctx, 'web-1');
    }),
  },
  (t) => {
    it('STS-ORDER-SCALEDOWN fails, naming pod web-1', function () {
      expectCheck(t.run, 'STS-ORDER-SCALEDOWN', 'failed', 'pod web-1');
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
