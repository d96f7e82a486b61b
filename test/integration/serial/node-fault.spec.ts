// node-fault and kubelet-restart on the local cluster (1 node or, with cluster:up --nodes,
// several): a seeded run whose first round takes web-0's node down without a force
// deletion and restarts web-2's kubelet, and whose second round takes web-2's node down
// and force-deletes it, passes every check; the timeline shows each node down and up
// again and no replacement while the old pod was unconfirmed. Prints how long each
// node-fault round took and the overlap force deletion produced (STS-AT-MOST-ONE).
import { expect } from 'chai';
import { planRounds, describeRound } from '../../../lib/chaos/plan.ts';
import type { Cluster } from '../../../lib/cluster/cluster.ts';
import { markersOf, podGenerations } from '../../../lib/timeline/queries.ts';
import type { TimelineEntry } from '../../../lib/timeline/entries.ts';
import { connectTestCluster, describeRun, expectClusterHealthy, type FaultRun, runWithFault } from '../../faults/support.ts';

const ARGS = ['--seed', '8', '--rounds', '2', '--chaos', 'node-fault,kubelet-restart', '--timeout', '300'];

describe('node-fault and kubelet-restart on the local cluster', function () {
  this.timeout(900_000);
  let cluster: Cluster;
  let run: FaultRun;
  let timeline: TimelineEntry[] = [];

  before(async function () {
    cluster = await connectTestCluster();
    const plan = planRounds({ seed: 8, statefulSet: 'web', replicas: 3, rounds: 2, actions: ['node-fault', 'kubelet-restart'] }).map(
      describeRound,
    );
    expect(plan).to.deep.equal([
      'round 1 (sequential): web-0 (node-fault hold=11s force=0), web-2 (kubelet-restart down=3s)',
      'round 2 (sequential): web-2 (node-fault hold=5s force=1)',
    ]);
    run = await runWithFault(ARGS, async (ctx) => {
      if (ctx.phase === 'before-after-snapshot') timeline = [...ctx.recorder.timeline];
    });
    for (const r of run.result.rounds)
      console.log(`      round ${r.plan.round}: ${((r.endedAt - r.startedAt) / 1000).toFixed(1)}s from round-start to converged`);
  });

  after(async function () {
    if (cluster) await expectClusterHealthy(cluster, { timeoutMs: 240_000, stableMs: 10_000 });
  });

  it('passes every check (exit 0)', function () {
    expect(run.exitCode, describeRun(run)).to.equal(0);
    for (const c of run.result.checks) expect(c.status, `${c.id}: ${c.message}`).to.be.oneOf(['passed', 'skipped']);
  });

  it('marks each node down and up again, in pairs, and node-fault kills as blocked, kubelet-restart as unaffected', function () {
    const kills = markersOf(timeline, 'kill').map((k) => `${k.marker.pod} ${k.marker.action} ${k.marker.expect}`);
    expect(kills).to.deep.equal(['web-0 node-fault blocked', 'web-2 kubelet-restart unaffected', 'web-2 node-fault blocked']);
    const downs = markersOf(timeline, 'node-down');
    const ups = markersOf(timeline, 'node-up');
    expect(downs).to.have.length(3);
    for (const d of downs)
      expect(
        ups.some((u) => u.index > d.index && u.marker.node === d.marker.node),
        `node ${d.marker.node} back up`,
      ).to.equal(true);
    expect(markersOf(timeline, 'operator-force-delete').map((m) => m.marker.pod)).to.deep.equal(['web-2']);
  });

  it('keeps the replacement blocked while the node is down, until the operator force-deletes the pod', function () {
    const gens = podGenerations(timeline);
    for (const { index, marker } of markersOf(timeline, 'node-down')) {
      const up = markersOf(timeline, 'node-up').find((u) => u.index > index && u.marker.node === marker.node)?.index ?? timeline.length;
      const forced =
        markersOf(timeline, 'operator-force-delete').find((f) => f.index > index && f.index < up && f.marker.uid === marker.uid)?.index ??
        up;
      const early = (gens.get(marker.pod) ?? []).filter((g) => g.uid !== marker.uid && g.first.index > index && g.first.index < forced);
      expect(
        early.map((g) => g.uid),
        `${marker.pod} replaced while its node ${marker.node} was down`,
      ).to.deep.equal([]);
    }
  });

  it('kubelet-restart leaves web-2 running with its UID and no container restart', function () {
    const c = run.result.checks.find((x) => x.id === 'STS-RECOVERY');
    expect(
      c?.evidence.some(
        (e) => e.subject === 'pod web-2' && /kept running through the kubelet-restart, no container restart/.test(e.observed ?? ''),
      ),
    ).to.equal(true);
  });

  it('reports the force deletion overlap, if any, as the documented hazard', function () {
    const c = run.result.checks.find((x) => x.id === 'STS-AT-MOST-ONE');
    // Without the check there is nothing to read: its absence must fail, not pass with no hazard.
    if (!c) throw new Error(`STS-AT-MOST-ONE is missing from the results (checks: ${run.result.checks.map((x) => x.id).join(', ')})`);
    expect(c.status, `STS-AT-MOST-ONE: ${c.message}`).to.equal('passed');
    const hazards = c.evidence.filter((e) => e.note?.startsWith('force deletion hazard'));
    console.log(
      `      force deletion overlap: ${hazards.map((e) => `${e.subject}: ${e.observed}`).join('; ') || 'none (no other node could run the replacement while the old pod ran)'}`,
    );
    for (const h of hazards) expect(h.subject).to.match(/^heartbeats web-2:/);
  });
});
