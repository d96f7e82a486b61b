// STS-RECOVERY: (a) a namespace ResourceQuota of replicas-1 pods, created just before the
// kill, makes the API server refuse the replacement (the controller records FailedCreate),
// so the round cannot converge within --timeout; (b) a pod the plan did not kill is
// deleted by someone else during the round, and is replaced: an unplanned replacement.
import { expect } from 'chai';
import type { Cluster } from '../../lib/cluster.ts';
import { at, connectTestCluster, deletePod, evidenceText, expectCheck, expectClusterHealthy, expectExit, type FaultRun, runWithFault, seedKilling, waitUntil } from './support.ts';

describe('fault: a ResourceQuota (pods: 2) refuses the replacement of web-1', function () {
  this.timeout(360_000);
  let cluster: Cluster;
  let run: FaultRun;

  before(async function () {
    cluster = await connectTestCluster();
    run = await runWithFault(['--rounds', '1', '--seed', String(seedKilling('web', ['web-1'], 'force-delete')), '--timeout', '30'], at('before-kills', async (ctx) => {
      const namespace = ctx.workload.info.namespace;
      await ctx.cluster.core.createNamespacedResourceQuota({ namespace, body: { metadata: { name: 'fault-pods' }, spec: { hard: { pods: '2' } } } });
      // Admission judges against the quota's status: wait until the quota controller has counted the pods.
      await waitUntil('ResourceQuota fault-pods to have its usage computed', 30_000, async () => {
        const q = await ctx.cluster.core.readNamespacedResourceQuota({ name: 'fault-pods', namespace });
        return { ok: q.status?.used?.pods !== undefined, seen: JSON.stringify(q.status ?? {}) };
      });
      ctx.log('fault: ResourceQuota fault-pods (pods: 2) in place');
    }, 1));
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}`);
  });

  after(async function () {
    if (cluster) await expectClusterHealthy(cluster);
  });

  it('the round does not converge', function () {
    expect(run.result.rounds[0]?.converged, 'round 1 converged').to.equal(false);
  });

  it('STS-RECOVERY fails, naming pod web-1, with the FailedCreate event', function () {
    const c = expectCheck(run, 'STS-RECOVERY', 'failed', 'pod web-1');
    expect(evidenceText(c)).to.match(/FailedCreate|exceeded quota/);
  });

  it('exits 1', function () {
    expectExit(run, 1);
  });
});

describe('fault: web-2, which the plan does not kill, is deleted during round 1', function () {
  this.timeout(360_000);
  let cluster: Cluster;
  let run: FaultRun;

  before(async function () {
    cluster = await connectTestCluster();
    run = await runWithFault(['--rounds', '1', '--seed', String(seedKilling('web', ['web-0'], 'force-delete')), '--timeout', '120'], at('after-kills', async (ctx) => {
      await deletePod(ctx, 'web-2');
    }, 1));
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}`);
  });

  after(async function () {
    if (cluster) await expectClusterHealthy(cluster);
  });

  it('STS-RECOVERY fails, naming pod web-2', function () {
    expectCheck(run, 'STS-RECOVERY', 'failed', 'pod web-2');
  });

  it('exits 1', function () {
    expectExit(run, 1);
  });
});
