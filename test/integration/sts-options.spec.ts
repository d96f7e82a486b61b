// The StatefulSet options on the real cluster, through the real CLI: Parallel pod
// management with a start ordinal and minReadySeconds must pass with the ordering
// checks skipped, names from the start ordinal, and "Ready" timed as Available; and
// --max-unavailable is either kept by the API server or left out with the reason.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { NO_UPDATE } from '../../lib/timeline/update.ts';
import type { RunResult } from '../../lib/run/results-schema.ts';
import { runCli, runIdOf, tempDir, type CliResult } from './helpers.ts';

const show = (r: CliResult): string =>
  `exit ${r.code} after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;
const ORDERING = ['STS-ORDER-CREATE', 'STS-ORDER-RECREATE', 'STS-ORDER-SCALEDOWN'];

describe('StatefulSet options (integration, real cluster)', () => {
  const reportDir = tempDir('sts-options-reports');

  it('--pod-management Parallel --start-ordinal 3 --min-ready-seconds 2: PASSED, ordering checks skipped, pods web-3 and web-4, recoveries timed to Available', async function () {
    this.timeout(300_000);
    const args = ['run', '--pod-management', 'Parallel', '--start-ordinal', '3', '--min-ready-seconds', '2', '--max-unavailable', '2'];
    const r = await runCli([...args, '--replicas', '2', '--rounds', '1', '--seed', '7', '--report-dir', reportDir]);
    expect(r.code, show(r)).to.equal(0);
    expect(r.stdout).to.include('PASSED: ');
    const res = JSON.parse(readFileSync(path.join(reportDir, runIdOf(r.stdout), 'results.json'), 'utf8')) as RunResult;
    for (const c of res.checks) {
      if (ORDERING.includes(c.id)) {
        expect(c.status, c.id).to.equal('skipped');
        expect(c.message, c.id).to.match(/^podManagementPolicy is Parallel: /);
      } else if (['STS-TOPOLOGY-PRIMARY', 'STS-PDB', 'STS-ETCD-MEMBERSHIP', 'STS-LINEARIZABLE', 'STS-BANK-INVARIANT'].includes(c.id))
        expect(c.status, c.id).to.equal('skipped'); // web has no primary nor etcd; no evict, no budget; no register or bank traffic
      else if (c.id.startsWith('STS-UPDATE-'))
        expect([c.status, c.message], c.id).to.deep.equal(['skipped', NO_UPDATE]); // the test launcher passes --update none
      else expect(c.status, `${c.id}: ${c.message}`).to.equal('passed');
    }
    expect(res.workload.options).to.deep.include({ podManagementPolicy: 'Parallel', startOrdinal: 3, minReadySeconds: 2 });
    expect(res.replay).to.include('--pod-management Parallel').and.include('--start-ordinal 3').and.include('--min-ready-seconds 2');
    // Names start at the start ordinal: the seed's kills, the sentinels and DNS names.
    const kills = res.rounds.flatMap((x) => x.plan.kills.map((k) => k.pod));
    expect(kills.length).to.be.greaterThan(0);
    for (const pod of kills) expect(pod).to.match(/^web-[34]$/);
    expect(res.checks.find((c) => c.id === 'STS-DATA-SENTINEL')?.message).to.include('web-3, web-4');
    // Available is Ready for 2 s, counted from the Ready condition's lastTransitionTime,
    // which is truncated to the second and comes after the container runs: so at least
    // ~1 s after Running was seen (less the watch's own delay).
    for (const rec of res.rounds.flatMap((x) => x.recoveries)) {
      expect((rec.readyMs ?? 0) - (rec.runningMs ?? Number.POSITIVE_INFINITY), rec.pod).to.be.greaterThan(800);
    }
    // maxUnavailable: kept by the API server, or left out with the reason (feature gate off).
    const skipped = res.workload.optionsSkipped ?? [];
    if (res.workload.options?.maxUnavailable === 2) expect(skipped).to.deep.equal([]);
    else {
      expect(skipped.map((s) => s.option)).to.deep.equal(['--max-unavailable']);
      expect(skipped[0]?.reason).to.include(`(${res.cluster.version}) drops spec.updateStrategy.rollingUpdate.maxUnavailable`);
      expect(r.stdout).to.include('--max-unavailable 2 skipped: ');
    }
  });
});
