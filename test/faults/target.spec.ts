// A real fault caught on a --target run: the StatefulSet was made outside Ordinal
// (test/fixtures/byo/target-store.yaml, opted in), and just before round 1 kills
// store-1 the hook deletes its claim state-store-1. pvc-protection keeps the claim while
// store-1 runs; the kill releases it, and the controller makes a new claim (new UID,
// new empty volume) for the replacement. STS-PVC-BINDING must fail naming the claim,
// STS-DATA-SENTINEL must fail naming store-1's sentinel, and the run exits 1; the
// StatefulSet itself is still not scaled and no run namespace is made.
import { expect } from 'chai';
import { planRounds } from '../../lib/chaos/plan.ts';
import { parseRunArgs } from '../../lib/cli/args.ts';
import type { Cluster } from '../../lib/cluster.ts';
import { exitCodeOf } from '../../lib/report/stats.ts';
import { executeRun } from '../../lib/run.ts';
import { type Inventory, TARGET_STS, createTargetNamespace, deleteTargetNamespace, inventory } from '../integration/byo-helpers.ts';
import { at, connectTestCluster, expectCheck, expectClusterHealthy, expectExit, type FaultRun } from './support.ts';

/** The first seed whose round 1 of the 2-replica target kills only store-1, by force. */
function seedKillingStore1(): number {
  for (let seed = 1; seed < 100_000; seed++) {
    const kills = planRounds({ seed, statefulSet: TARGET_STS, replicas: 2, rounds: 1 })[0]?.kills ?? [];
    if (kills.length === 1 && kills[0]?.pod === 'store-1' && kills[0].action === 'force-delete') return seed;
  }
  throw new Error('no seed below 100000 kills only store-1 in round 1');
}

describe('fault: a --target run, the claim state-store-1 deleted just before store-1 is killed', function () {
  this.timeout(360_000);
  let cluster: Cluster;
  let run: FaultRun;
  const ns = `byo-fault-${Date.now().toString(36)}`;
  let found: Inventory;

  before(async function () {
    cluster = await connectTestCluster();
    await createTargetNamespace(cluster, ns, true);
    found = await inventory(cluster, ns);
    const args = parseRunArgs(['--target', `${ns}/${TARGET_STS}`, '--rounds', '1', '--seed', String(seedKillingStore1()), '--timeout', '120', '--dns-budget', '5']);
    const log: string[] = [];
    const started = performance.now();
    const out = await executeRun({
      ...args,
      kubeconfig: process.env.KUBECONFIG,
      log: (line) => log.push(line),
      hook: at('before-kills', async (ctx) => {
        await ctx.cluster.core.deleteNamespacedPersistentVolumeClaim({ name: 'state-store-1', namespace: ns });
        await ctx.recorder.waitFor({
          describe: 'PVC state-store-1 to be marked for deletion',
          timeoutMs: 30_000,
          until: () => (ctx.recorder.pvcs.get('state-store-1')?.deletionTimestamp ? true : undefined),
        });
        ctx.log('fault: PVC state-store-1 deleted (held by pvc-protection while store-1 runs)');
      }, 1),
    });
    run = { result: out.result, exitCode: exitCodeOf(out.result), log, ms: performance.now() - started };
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}`);
  });

  after(async function () {
    if (!cluster) return;
    await deleteTargetNamespace(cluster, ns);
    await expectClusterHealthy(cluster);
  });

  it('STS-PVC-BINDING fails, naming PVC state-store-1', function () {
    expectCheck(run, 'STS-PVC-BINDING', 'failed', 'PVC state-store-1');
  });

  it('STS-DATA-SENTINEL fails, naming store-1\'s sentinel', function () {
    expectCheck(run, 'STS-DATA-SENTINEL', 'failed', 'sentinel store-1:/var/lib/store/.ordinal-sentinel');
  });

  it('exits 1, and the StatefulSet was still not scaled or changed', async function () {
    expectExit(run, 1);
    const now = await inventory(cluster, ns);
    expect(now.statefulSet).to.deep.equal(found.statefulSet);
  });
});
