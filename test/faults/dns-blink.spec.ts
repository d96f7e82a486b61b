// A readiness blink during the after-snapshot is no broken DNS guarantee: web-1's
// readiness probe (GET /index.html) fails from just before the snapshot until ~2.5 s into
// it, so DNS drops web-1 and lists it again while the probe asks. The snapshot used to
// freeze web-1 as not ready, wait for an SRV list without it and fail when CoreDNS
// (rightly) listed it again: on main 0f9d697 this spec fails with "STS-DNS-SRV failed: SRV
// lists web-1…, which is not a ready pod of web", exit 1. Each answer is now judged against
// readiness at its moment.
import { expect } from 'chai';
import { at, expectCheck, expectExit, faultRun, shIn, sleep, waitPod } from './support.ts';

let restored: Promise<number> | undefined;
let notReadyAtSnapshot = false;

faultRun(
  'healthy: web-1 not ready for a few seconds around the start of the after-snapshot',
  {
    argv: ['--rounds', '0', '--seed', '1', '--traffic', 'off', '--dns-budget', '20'],
    hook: at('before-after-snapshot', async (ctx) => {
      const page = `${ctx.workload.dataPath}/index.html`;
      await shIn(ctx, 'web-1', `mv ${page} ${page}.off`);
      await waitPod(ctx, 'web-1', 'not ready (its readiness probe fails)', (p) => !!p && !p.ready, 20_000);
      notReadyAtSnapshot = true;
      // Not awaited: the page comes back while the snapshot runs.
      restored = (async () => {
        await sleep(2500);
        await shIn(ctx, 'web-1', `mv ${page}.off ${page}`);
        await waitPod(ctx, 'web-1', 'ready again', (p) => !!p?.ready, 20_000);
        return ctx.recorder.now();
      })();
      restored.catch(() => undefined);
    }),
    cleanup: async () => {
      await restored?.catch(() => undefined);
    },
  },
  (t) => {
    it('web-1 was not ready when the snapshot began and ready again during it', async function () {
      expect(notReadyAtSnapshot).to.equal(true);
      expect(await restored).to.be.a('number');
    });

    it('STS-DNS-SRV passes', function () {
      expectCheck(t.run, 'STS-DNS-SRV', 'passed', /^_web\._tcp\./);
    });

    it('STS-DNS-A passes', function () {
      expectCheck(t.run, 'STS-DNS-A', 'passed', /^web-1\./);
    });

    it('exits 0', function () {
      expectExit(t.run, 0);
    });
  },
);
