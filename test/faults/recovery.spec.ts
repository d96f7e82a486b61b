// STS-RECOVERY: (a) a namespace ResourceQuota of replicas-1 pods, created just before the
// kill, makes the API server refuse the replacement (the controller records FailedCreate),
// so the round cannot converge within --timeout; (b) a pod the plan did not kill is
// deleted by someone else during the round, and is replaced: an unplanned replacement.
import { expect } from 'chai';
import { at, deletePod, evidenceText, expectCheck, expectExit, faultRun, seedKilling, waitUntil } from './support.ts';

faultRun(
  'fault: a ResourceQuota (pods: 2) refuses the replacement of web-1',
  {
    argv: ['--rounds', '1', '--seed', String(seedKilling('web', ['web-1'], 'force-delete')), '--timeout', '30'],
    hook: at(
      'before-kills',
      async (ctx) => {
        const namespace = ctx.workload.info.namespace;
        await ctx.cluster.core.createNamespacedResourceQuota({
          namespace,
          body: { metadata: { name: 'fault-pods' }, spec: { hard: { pods: '2' } } },
        });
        // Admission judges against the quota's status: wait until the quota controller has counted the pods.
        await waitUntil('ResourceQuota fault-pods to have its usage computed', 30_000, async () => {
          const q = await ctx.cluster.core.readNamespacedResourceQuota({ name: 'fault-pods', namespace });
          return { ok: q.status?.used?.pods !== undefined, seen: JSON.stringify(q.status ?? {}) };
        });
        ctx.log('fault: ResourceQuota fault-pods (pods: 2) in place');
      },
      1,
    ),
  },
  (t) => {
    it('the round does not converge', function () {
      expect(t.run.result.rounds[0]?.converged, 'round 1 converged').to.equal(false);
    });

    it('STS-RECOVERY fails, naming pod web-1, with the FailedCreate event', function () {
      const c = expectCheck(t.run, 'STS-RECOVERY', 'failed', 'pod web-1');
      expect(evidenceText(c)).to.match(/FailedCreate|exceeded quota/);
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);

faultRun(
  'fault: web-2, which the plan does not kill, is deleted during round 1',
  {
    argv: ['--rounds', '1', '--seed', String(seedKilling('web', ['web-0'], 'force-delete')), '--timeout', '120'],
    hook: at(
      'after-kills',
      async (ctx) => {
        await deletePod(ctx, 'web-2');
      },
      1,
    ),
  },
  (t) => {
    it('STS-RECOVERY fails, naming pod web-2', function () {
      expectCheck(t.run, 'STS-RECOVERY', 'failed', 'pod web-2');
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);
