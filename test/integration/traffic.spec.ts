// Traffic during chaos on the local cluster: a web run with traffic on passes
// STS-WRITES-DURABLE with 0 lost writes, and results.json carries the figures.
import { expect } from 'chai';
import { exitCodeOf } from '../../lib/report/stats.ts';
import { parseRunArgs } from '../../lib/cli/args.ts';
import { executeRun } from '../../lib/run.ts';
import type { RunResult } from '../../lib/types.ts';

describe('traffic during chaos (web, local cluster)', function () {
  this.timeout(300_000);
  let result: RunResult;

  before(async function () {
    const args = parseRunArgs(['--workload', 'web', '--rounds', '2', '--seed', '11', '--dns-budget', '5', '--traffic-rate', '20']);
    result = (await executeRun({ ...args, kubeconfig: process.env.KUBECONFIG, log: () => undefined })).result;
  });

  it('passes STS-WRITES-DURABLE with writes acknowledged and none lost', function () {
    const c = result.checks.find((x) => x.id === 'STS-WRITES-DURABLE');
    expect(c?.status, c?.message).to.equal('passed');
    expect(result.traffic?.counts.lost).to.equal(0);
    expect(result.traffic?.counts.acked).to.be.greaterThan(20);
    expect(exitCodeOf(result), JSON.stringify(result.checks.filter((x) => x.status !== 'passed' && x.status !== 'skipped'))).to.equal(0);
  });

  it('records availability per pod, per second and per round', function () {
    const a = result.traffic?.availability;
    expect(a?.perPod.map((p) => p.pod)).to.deep.equal(['web-0', 'web-1', 'web-2']);
    expect(a?.perSecond.length).to.be.greaterThan(1);
    expect(a?.rounds.map((r) => r.round)).to.deep.equal([1, 2]);
    expect(a?.overall.fraction).to.be.within(0, 1);
  });
});
