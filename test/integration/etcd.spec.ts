// The etcd sample on the real cluster through the real CLI: `ordinal run --workload etcd
// --rounds 2` passes every check or skips it with a reason, and the membership check
// judged the same three member IDs before and after chaos.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CHECKS } from '../../lib/checks/catalog.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';
import { ETCD_IMAGE } from '../../lib/workloads/etcd.ts';
import { NO_CLUSTER, runCli, runIdOf, tempDir, type CliResult } from './helpers.ts';

const show = (r: CliResult): string =>
  `exit ${r.code} (signal ${r.signal}) after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('etcd sample (integration, real cluster)', function () {
  const reportDir = tempDir('etcd-reports');

  it('run --workload etcd --rounds 2 exits 0: every check passed or skipped with a reason, the same member IDs after chaos', async function () {
    this.timeout(420_000);
    if (!process.env.KUBECONFIG) throw new Error(NO_CLUSTER);
    const r = await runCli(['run', '--workload', 'etcd', '--rounds', '2', '--seed', '11', '--report-dir', reportDir], {
      killAfterMs: 400_000,
    });
    expect(r.code, show(r)).to.equal(0);
    const res = JSON.parse(readFileSync(path.join(reportDir, runIdOf(r.stdout), 'results.json'), 'utf8')) as RunResult;
    expect(res.workload).to.include({ kind: 'etcd', statefulSet: 'etcd', service: 'etcd', replicas: 3 });
    expect(res.cluster.image).to.equal(ETCD_IMAGE);
    expect(res.checks.map((c) => c.id)).to.deep.equal(CHECKS.map((c) => c.id));
    for (const c of res.checks) {
      expect(c.status, `${c.id}: ${c.message}`).to.be.oneOf(['passed', 'skipped']);
      if (c.status === 'skipped') expect(c.message, c.id).to.match(/\S{10,}/);
    }
    const passed = res.checks.filter((c) => c.status === 'passed').map((c) => c.id);
    expect(passed).to.include.members([
      'STS-ETCD-MEMBERSHIP',
      'STS-IDENTITY',
      'STS-DNS-A',
      'STS-DNS-SRV',
      'STS-PVC-BINDING',
      'STS-DATA-SENTINEL',
      'STS-RECOVERY',
    ]);
    expect(res.checks.find((c) => c.id === 'STS-TOPOLOGY-PRIMARY')?.status).to.equal('skipped');
    const membership = res.checks.find((c) => c.id === 'STS-ETCD-MEMBERSHIP');
    expect(membership?.evidence.map((e) => e.subject).sort()).to.deep.equal(['pod etcd-0', 'pod etcd-1', 'pod etcd-2']);
    expect(res.rounds.flatMap((x) => x.recoveries).length, 'chaos killed members').to.be.greaterThan(0);
  });
});
