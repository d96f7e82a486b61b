// STS-WRITES-DURABLE against acknowledged data lost on a volume: while traffic writes
// through each pod's DNS name, and after the client has stopped, web-1's key file is
// emptied inside the pod — every key web-1 acknowledged is gone from its claim.
import type { Cluster } from '../../lib/cluster.ts';
import { WEB_KEYS_FILE } from '../../lib/traffic/driver.ts';
import { at, connectTestCluster, expectCheck, expectClusterHealthy, expectExit, type FaultRun, runWithFault, shIn } from './support.ts';

describe("fault: web-1's acknowledged keys removed from its volume during a run with traffic", function () {
  this.timeout(360_000);
  let cluster: Cluster;
  let run: FaultRun;
  let held = '';

  before(async function () {
    cluster = await connectTestCluster();
    run = await runWithFault(['--rounds', '1', '--seed', '5', '--traffic', 'on'], at('before-after-snapshot', async (ctx) => {
      const file = `${ctx.workload.dataPath}/${WEB_KEYS_FILE}`;
      held = await shIn(ctx, 'web-1', `wc -l < ${file}`);
      await shIn(ctx, 'web-1', `: > ${file} && sync`);
    }));
    console.log(`      run ${run.result.runId}: ${(run.ms / 1000).toFixed(1)}s, exit ${run.exitCode}; web-1 held ${held.trim()} keys`);
  });

  after(async function () {
    if (cluster) await expectClusterHealthy(cluster);
  });

  it('STS-WRITES-DURABLE fails, naming web-1 and its missing keys', function () {
    const c = expectCheck(run, 'STS-WRITES-DURABLE', 'failed', 'pod web-1');
    const e = c.evidence.find((x) => x.subject === 'pod web-1');
    if (!e?.observed?.includes(`${run.result.runId}-web-1-`)) throw new Error(`evidence does not name web-1's keys: ${JSON.stringify(e)}`);
    if (c.evidence.some((x) => x.subject === 'pod web-0' || x.subject === 'pod web-2')) throw new Error(`untouched pods named: ${c.message}`);
  });

  it('results.json counts the lost writes, all of them web-1\'s', function () {
    const t = run.result.traffic;
    if (!t || t.counts.lost === 0 || t.lost.some((k) => k.pod !== 'web-1')) throw new Error(`traffic summary: ${JSON.stringify(t?.counts)} ${JSON.stringify(t?.lost.slice(0, 3))}`);
  });

  it('exits 1', function () {
    expectExit(run, 1);
  });
});
