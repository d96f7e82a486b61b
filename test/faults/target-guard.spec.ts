// The --target kill guard on the real cluster: just before round 1 would kill store-1,
// the hook relabels that pod so it no longer matches the StatefulSet's selector (the
// controller then releases it: it is no longer the StatefulSet's pod). The run must
// refuse the delete, saying why, end with exit 2, and store-1 must still be there with
// the same UID: a --target run deletes only pods the StatefulSet owns and selects.
import { expect } from 'chai';
import { planRounds } from '../../lib/chaos/plan.ts';
import { parseRunArgs } from '../../lib/cli/args.ts';
import type { Cluster } from '../../lib/cluster.ts';
import { exitCodeOf } from '../../lib/report/stats.ts';
import { executeRun } from '../../lib/run.ts';
import type { RunResult } from '../../lib/types.ts';
import { TARGET_STS, createTargetNamespace, deleteTargetNamespace } from '../integration/byo-helpers.ts';
import { at, connectTestCluster, expectClusterHealthy } from './support.ts';

function seedKilling(pod: string): number {
  for (let seed = 1; seed < 100_000; seed++) {
    const kills = planRounds({ seed, statefulSet: TARGET_STS, replicas: 2, rounds: 1 })[0]?.kills ?? [];
    if (kills.length === 1 && kills[0]?.pod === pod) return seed;
  }
  throw new Error(`no seed below 100000 kills only ${pod} in round 1`);
}

describe('fault: a --target pod leaves the StatefulSet just before its kill', function () {
  this.timeout(300_000);
  let cluster: Cluster;
  let result: RunResult;
  let uid = '';
  const log: string[] = [];
  const ns = `byo-guard-${Date.now().toString(36)}`;

  before(async function () {
    cluster = await connectTestCluster();
    await createTargetNamespace(cluster, ns, true);
    const args = parseRunArgs(['--target', `${ns}/${TARGET_STS}`, '--rounds', '1', '--seed', String(seedKilling('store-1')), '--timeout', '60', '--dns-budget', '5']);
    const out = await executeRun({
      ...args,
      kubeconfig: process.env.KUBECONFIG,
      log: (line) => log.push(line),
      hook: at('before-kills', async (ctx) => {
        const pod = await ctx.cluster.core.patchNamespacedPod({
          name: 'store-1', namespace: ns, body: [{ op: 'replace', path: '/metadata/labels/app.kubernetes.io~1name', value: 'released' }],
        });
        uid = pod.metadata?.uid ?? '';
        ctx.log(`fault: store-1 (uid ${uid}) relabelled out of the StatefulSet's selector`);
      }, 1),
    });
    result = out.result;
  });

  after(async function () {
    if (!cluster) return;
    await deleteTargetNamespace(cluster, ns);
    await expectClusterHealthy(cluster);
  });

  it('refuses the delete, naming the pod and why, and exits 2', function () {
    const all = log.join('\n');
    expect(result.error?.message, all).to.match(new RegExp(`^refusing to delete pod ${ns}/store-1: (its labels do not match the StatefulSet's selector|its controller is none)`));
    expect(exitCodeOf(result), all).to.equal(2);
    expect(all).not.to.match(/killed store-1/);
  });

  it('store-1 is still there, the same pod (same UID)', async function () {
    const pod = await cluster.core.readNamespacedPod({ name: 'store-1', namespace: ns });
    expect(uid).to.not.equal('');
    expect(pod.metadata?.uid).to.equal(uid);
    expect(pod.metadata?.deletionTimestamp).to.equal(undefined);
  });
});
