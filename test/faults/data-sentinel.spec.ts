// STS-DATA-SENTINEL against data changed behind the harness's back: after the baseline
// wrote the sentinels, web-1's is overwritten and web-2's removed, inside the pods.
import { SENTINEL_FILE } from '../../lib/workloads/common.ts';
import { at, expectCheck, expectExit, faultRun, shIn } from './support.ts';

let path = '';

faultRun(
  "fault: web-1's sentinel overwritten and web-2's removed after the baseline",
  {
    argv: ['--rounds', '0', '--seed', '1'],
    hook: at('after-baseline', async (ctx) => {
      path = `${ctx.workload.dataPath}/${SENTINEL_FILE}`;
      await shIn(ctx, 'web-1', `printf tampered > ${path} && sync`);
      await shIn(ctx, 'web-2', `rm ${path} && sync`);
    }),
  },
  (t) => {
    it('STS-DATA-SENTINEL fails, naming the overwritten sentinel of web-1', function () {
      expectCheck(t.run, 'STS-DATA-SENTINEL', 'failed', `sentinel web-1:${path}`);
    });

    it('STS-DATA-SENTINEL fails, naming the removed sentinel of web-2', function () {
      expectCheck(t.run, 'STS-DATA-SENTINEL', 'failed', `sentinel web-2:${path}`);
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
