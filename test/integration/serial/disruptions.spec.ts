// container-kill and evict on the real local cluster: a run with both passes, the
// timeline shows each took effect as its disruption expects (same UID and restart count
// up; new UID), and an eviction the run's PodDisruptionBudget forbids comes back 429
// and leaves its pod alone.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import type { CheckInput } from '../../../lib/checks/api.ts';
import type { RunResult } from '../../../lib/run/results-schema.ts';
import type { MarkerOf } from '../../../lib/timeline/entries.ts';
import { connectTestCluster, runCli, runIdOf, tempDir, waitRunNamespacesGone, type CliResult } from '../helpers.ts';

const show = (r: CliResult): string =>
  `exit ${r.code} after ${(r.ms / 1000).toFixed(1)}s\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`;

describe('disruptions container-kill and evict (integration, real cluster)', function () {
  this.timeout(300_000);
  let result: RunResult;
  let input: CheckInput;
  let cli: CliResult;

  before(async () => {
    const reports = tempDir('disruptions');
    // Seed 16, rounds: 1 evicts web-0, web-1, web-2 one after another (the first is admitted,
    // the next two are refused while web-0 is out); 2 kills the container of every pod; 3 as 1.
    cli = await runCli(['run', '--seed', '16', '--chaos', 'container-kill,evict', '--report-dir', reports]);
    const runId = runIdOf(cli.stdout);
    result = JSON.parse(readFileSync(path.join(reports, runId, 'results.json'), 'utf8')) as RunResult;
    input = JSON.parse(readFileSync(path.join(reports, runId, 'timeline.json'), 'utf8')) as CheckInput;
    await waitRunNamespacesGone(await connectTestCluster(), runId);
  });

  it('a run with --chaos container-kill,evict passes (exit 0), STS-PDB and STS-RECOVERY included', () => {
    expect(cli.code, show(cli)).to.equal(0);
    const status = Object.fromEntries(result.checks.map((c) => [c.id, c.status]));
    expect(status).to.include({ 'STS-RECOVERY': 'passed', 'STS-IDENTITY': 'passed', 'STS-PDB': 'passed', 'STS-DATA-SENTINEL': 'passed' });
    expect(result.options.chaos).to.deep.equal(['container-kill', 'evict']);
    expect(result.workload.pdb).to.deep.equal({ name: 'web-budget', maxUnavailable: 1 });
    expect(result.replay).to.include('--chaos container-kill,evict');
    console.log(`      ${result.checks.find((c) => c.id === 'STS-PDB')?.message}`);
  });

  it('a container kill keeps the pod (same UID) and restarts it in place, Ready again', () => {
    const kills = result.rounds.flatMap((r) => r.recoveries).filter((r) => r.action === 'container-kill');
    expect(kills).to.have.length(3);
    for (const k of kills) {
      expect(k, JSON.stringify(k)).to.include({ expect: 'restarted-in-place', recovered: true });
      expect(k.restartedMs).to.be.a('number');
      expect(k.recreatedMs).to.equal(undefined);
    }
    const markers = input.timeline.filter(
      (e): e is MarkerOf<'kill'> => e.type === 'MARKER' && e.marker === 'kill' && e.action === 'container-kill',
    );
    for (const m of markers) {
      const later = input.timeline.filter((e) => e.type !== 'MARKER' && e.kind === 'Pod' && e.name === m.pod && e.seq > m.seq);
      expect(
        later.some((e) => e.type !== 'MARKER' && e.pod?.uid === m.uid && (e.pod.restartCount ?? 0) > (m.restartCount ?? 0)),
        `${m.pod} restart`,
      ).to.equal(true);
    }
    // Round 2 killed every container; nothing there was replaced.
    const round2 = result.rounds[1]?.recoveries.map((r) => r.pod).sort();
    expect(round2).to.deep.equal(['web-0', 'web-1', 'web-2']);
  });

  it('an eviction the budget forbids is refused with 429 and its pod stays; an admitted one is replaced', () => {
    const refused = input.timeline.filter((e): e is MarkerOf<'kill-refused'> => e.type === 'MARKER' && e.marker === 'kill-refused');
    expect(refused.length, show(cli)).to.be.at.least(2);
    // Up to the after-snapshot: the final scale-down removes web-1 and web-2 on purpose.
    const after = input.timeline.find((e) => e.type === 'MARKER' && e.marker === 'after')?.seq ?? Number.POSITIVE_INFINITY;
    for (const r of refused) {
      expect(r.status).to.equal(429);
      expect(r.reason).to.match(/disruption budget/i);
      const gone = input.timeline.some(
        (e) =>
          e.type !== 'MARKER' &&
          e.kind === 'Pod' &&
          e.name === r.pod &&
          e.pod?.uid === r.uid &&
          e.seq > r.seq &&
          e.seq < after &&
          (e.type === 'DELETED' || e.pod.deletionTimestamp),
      );
      // The same UID may end later only through a later round's own kill (round 3 evicts again).
      const laterKill = input.timeline.some((e) => e.type === 'MARKER' && e.marker === 'kill' && e.uid === r.uid && e.seq > r.seq);
      expect(gone && !laterKill, `${r.pod} (uid ${r.uid}) went after its eviction was refused`).to.equal(false);
    }
    const evictions = result.rounds.flatMap((r) => r.recoveries).filter((r) => r.action === 'evict');
    const admitted = evictions.filter((r) => r.expect === 'replaced');
    expect(admitted.length).to.be.at.least(2);
    for (const a of admitted) expect(a, JSON.stringify(a)).to.include({ recovered: true }).and.to.have.property('recreatedMs');
    const kinds = Object.fromEntries((result.recoveryByDisruption ?? []).map((k) => [k.disruption, k]));
    expect(kinds.evict).to.include({ killed: admitted.length, refused: refused.length, recovered: admitted.length });
    expect(kinds['container-kill']).to.include({ killed: 3, recovered: 3, refused: 0 });
    for (const k of Object.values(kinds))
      console.log(
        `      ${k.disruption}: kill → Ready p50 ${k.p50Ms} ms, p95 ${k.p95Ms} ms, max ${k.maxMs} ms (${k.killed} kills, ${k.refused} refused)`,
      );
  });
});
