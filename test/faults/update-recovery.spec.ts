// STS-RECOVERY during an update phase (lib/update/): the controller's own replacements of
// the ordinals at or above the partition are the update's, but a pod below the partition
// that goes without a kill is still a replacement nobody asked for. Planted for real: web-0
// deleted by hand while a partition-1 template update rolls.
import { expect } from 'chai';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import {
  at,
  connectTestCluster,
  deletePod,
  evidenceText,
  expectCheck,
  expectClusterHealthy,
  expectExit,
  runWithFault,
  seedKilling,
  type FaultRun,
} from './support.ts';

describe('fault: web-0, below the partition, is deleted while a partition-1 update rolls', function () {
  this.timeout(360_000);
  let cluster: Cluster;
  let run: FaultRun;

  before(async function () {
    cluster = await connectTestCluster();
    const seed = seedKilling('web', ['web-2'], 'force-delete');
    run = await runWithFault(
      ['--update', 'template', '--partition', '1', '--rounds', '1', '--seed', String(seed), '--timeout', '120'],
      at(
        'update-started',
        async (ctx) => {
          await deletePod(ctx, 'web-0');
        },
        1,
      ),
    );
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}`);
  });

  after(async function () {
    if (cluster) await expectClusterHealthy(cluster);
  });

  it("the update step converged and the controller's replacements of web-1 and web-2 are not reported", function () {
    expect(run.result.rounds[0]?.updates?.map((u) => [u.step, u.converged])).to.deep.equal([['forward', true]]);
    const c = run.result.checks.find((x) => x.id === 'STS-RECOVERY');
    // The same words name web-0's unplanned replacement, and no other pod's.
    const text = c ? evidenceText(c) : '';
    expect(text).to.match(/pod web-0 uid \S+ kept through the run/);
    expect(text).to.not.match(/pod web-[12] uid \S+ kept through the run/);
  });

  it('STS-RECOVERY fails, naming pod web-0 (not killed, below the partition, replaced)', function () {
    const c = expectCheck(run, 'STS-RECOVERY', 'failed', 'pod web-0');
    expect(c.message).to.match(/^web-0 was not killed but its pod \(uid \S+\) was replaced/);
  });

  it('exits 1', function () {
    expectExit(run, 1);
  });
});
