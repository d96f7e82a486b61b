// STS-ORDER-CREATE and STS-IDENTITY against a rogue creator: right after the StatefulSet
// is created, someone else creates web-2 with the StatefulSet's labels (and its current
// revision, so the rolling update keeps it) and a hostname of its own. The controller
// adopts it (ClaimPods: the selector matches, the name parses as ordinal 2) and keeps it:
// identityMatches() in stateful_set_utils.go compares name, namespace and the pod-name
// label only, and hostname/subdomain are set just once, by initIdentity() at creation.
import { expect } from 'chai';
import { adoptablePod, at, createPod, expectCheck, expectExit, faultRun } from './support.ts';

faultRun(
  'fault: a rogue creator makes web-2 (hostname "impostor") before web-0 and web-1 are Ready',
  {
    argv: ['--rounds', '0', '--seed', '1'],
    hook: at('after-deploy', async (ctx) => {
      await createPod(ctx, await adoptablePod(ctx, 2, 'impostor'));
    }),
  },
  (t) => {
    it('STS-ORDER-CREATE fails, naming pod web-2', function () {
      const c = expectCheck(t.run, 'STS-ORDER-CREATE', 'failed', 'pod web-2');
      expect(c.message).to.match(/web-2/);
    });

    it('STS-IDENTITY fails, naming pod web-2 and its hostname', function () {
      const c = expectCheck(t.run, 'STS-IDENTITY', 'failed', 'pod web-2');
      expect(c.evidence.some((e) => e.subject === 'pod web-2' && e.observed === 'impostor')).to.equal(true);
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
