// STS-WRITES-DURABLE against acknowledged data lost on a volume: while traffic writes
// through each pod's DNS name, and after the client has stopped, web-1's key file is
// emptied inside the pod — every key web-1 acknowledged is gone from its claim.
import { WEB_KEYS_FILE } from '../../lib/workloads/web.ts';
import { at, expectExit, expectWritesLostThrough, faultRun, shIn } from './support.ts';

let held = '';

faultRun(
  "fault: web-1's acknowledged keys removed from its volume during a run with traffic",
  {
    argv: ['--rounds', '1', '--seed', '5', '--traffic', 'on'],
    hook: at('before-after-snapshot', async (ctx) => {
      const file = `${ctx.workload.dataPath}/${WEB_KEYS_FILE}`;
      held = await shIn(ctx, 'web-1', `wc -l < ${file}`);
      await shIn(ctx, 'web-1', `: > ${file} && sync`);
    }),
    summary: () => `web-1 held ${held.trim()} keys`,
  },
  (t) => {
    it("STS-WRITES-DURABLE fails, naming web-1 and its missing keys; results.json counts the lost writes, all of them web-1's", function () {
      expectWritesLostThrough(t.run, 'web-1', ['web-0', 'web-2']);
    });

    it('each lost key was acknowledged by web-1 itself, its answer naming the pod and a UID', function () {
      const lost = t.run.result.traffic?.lost ?? [];
      if (lost.length === 0 || lost.some((k) => k.answeredBy !== 'web-1' || !k.answeredUid))
        throw new Error(`traffic.lost: ${JSON.stringify(lost.slice(0, 3))}`);
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
