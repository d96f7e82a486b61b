// STS-ETCD-MEMBERSHIP against a member that lost its data directory: just before round 1
// kills etcd-1, its data directory (on its claim) is removed inside the pod. The member
// comes back on the same claim with nothing in it; its peers know its ID as started, so
// it cannot rejoin ("member … has already been bootstrapped"). The sentinel beside the
// data directory is untouched: only the application's own view shows the loss.
import { ETCD_DATA_DIR } from '../../lib/workloads/etcd.ts';
import { expect } from 'chai';
import { at, describeRun, expectCheck, expectExit, faultRun, seedKilling, shIn } from './support.ts';

faultRun(
  "fault: etcd-1's data directory wiped, then etcd-1 killed",
  {
    argv: [
      '--workload',
      'etcd',
      '--rounds',
      '1',
      '--seed',
      String(seedKilling('etcd', ['etcd-1'])),
      '--timeout',
      '30',
      '--dns-budget',
      '15',
    ],
    hook: at(
      'before-kills',
      async (ctx) => {
        await shIn(ctx, 'etcd-1', `rm -rf ${ETCD_DATA_DIR} && sync`);
      },
      1,
    ),
    timeoutMs: 420_000,
  },
  (t) => {
    it('STS-ETCD-MEMBERSHIP fails, naming etcd-1 as not healthy', function () {
      const c = expectCheck(t.run, 'STS-ETCD-MEMBERSHIP', 'failed', 'pod etcd-1');
      if (!/etcd member etcd-1 is not healthy/.test(c.message)) throw new Error(`unexpected message: ${c.message}`);
    });

    it("STS-DATA-SENTINEL does not fail: the claim was kept, only etcd's data directory went", function () {
      // error, not passed, when etcd-1's crash-looping container was down at the read.
      const c = t.run.result.checks.find((x) => x.id === 'STS-DATA-SENTINEL');
      expect(c?.status, `${c?.message}\n${describeRun(t.run)}`).to.be.oneOf(['passed', 'error']);
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
