// STS-DNS-A and STS-DNS-SRV on a healthy cluster at 20 replicas: no fault is planted, and
// both must pass. Twenty SRV targets with their full names do not fit a 512-byte UDP
// answer, so a resolver asked over UDP gets a truncated one (TC bit); judged as a whole
// list it reported 15 of 20 ready pods missing (seed 99). Every source now asks over TCP
// and a truncated answer is never judged, so the in-pod answer must list all 20. (The
// broken-guarantee fault for the same checks is in dns.spec.ts.)
import { expect } from 'chai';
import { at, evidenceText, expectCheck, expectExit, faultRun } from './support.ts';

const REPLICAS = 20;

faultRun(
  `healthy: ${REPLICAS} replicas, one round of deletions; the SRV answer does not fit 512 bytes`,
  {
    // Parallel pod management and no traffic or sentinel: the cluster time goes to DNS, not to
    // creating and scaling down twenty pods one by one.
    argv: [
      '--replicas',
      String(REPLICAS),
      '--rounds',
      '1',
      '--seed',
      '99',
      '--chaos',
      'delete',
      '--pod-management',
      'Parallel',
      '--traffic',
      'off',
      '--sentinel',
      'off',
      '--dns-budget',
      '30',
    ],
    hook: at('before-after-snapshot', async (ctx) => {
      ctx.log(`no fault: ${ctx.recorder.podSummary()}`);
    }),
    timeoutMs: 600_000,
  },
  (t) => {
    it('STS-DNS-SRV passes, and the in-pod resolver (over TCP) listed all 20 pods', function () {
      const c = expectCheck(t.run, 'STS-DNS-SRV', 'passed', /^_web\._tcp\./);
      const inPod = c.evidence.find((e) => e.observed?.includes('(in-pod)'));
      expect(inPod, evidenceText(c)).to.not.equal(undefined);
      const listed = (inPod?.observed ?? '').split(', ').filter((x) => /web-\d+\./.test(x));
      expect(listed, evidenceText(c)).to.have.length(REPLICAS);
    });

    it('STS-DNS-A passes for every pod', function () {
      const c = expectCheck(t.run, 'STS-DNS-A', 'passed', /^web-19\./);
      expect(c.evidence.filter((e) => e.note?.startsWith('after chaos'))).to.have.length(REPLICAS);
    });

    it('exits 0', function () {
      expectExit(t.run, 0);
    });
  },
);
