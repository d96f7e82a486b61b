// STS-PDB: the run's PodDisruptionBudget (maxUnavailable=1) is loosened behind the
// harness's back (replaced with maxUnavailable=3, as an operator or a controller
// overwriting it would) just before a round that evicts web-0 and web-2 at once. The API
// server, judging the loosened budget, admits both evictions: two pods are out through
// evictions together, over the budget the run set up, and STS-PDB must name them.
import { expect } from 'chai';
import { at, evidenceText, expectCheck, expectExit, faultRun, seedKilling, waitUntil } from './support.ts';

const seed = seedKilling('web', ['web-0', 'web-2'], 'evict', { chaos: ['evict'], pattern: 'burst' });

faultRun('fault: the PodDisruptionBudget is loosened to maxUnavailable=3 before a round evicting web-0 and web-2 at once', {
  argv: ['--rounds', '1', '--seed', String(seed), '--chaos', 'evict', '--timeout', '120'],
  hook: at('before-kills', async (ctx) => {
    const namespace = ctx.workload.info.namespace;
    const name = ctx.workload.info.pdb?.name;
    if (!name) throw new Error('the run created no PodDisruptionBudget');
    await ctx.cluster.policy.patchNamespacedPodDisruptionBudget(
      { name, namespace, body: [{ op: 'replace', path: '/spec/maxUnavailable', value: 3 }] },
    );
    // The eviction API judges the budget's status: wait until the disruption controller has
    // recomputed it for the new spec, so the fault is in place before the evictions go out.
    await waitUntil(`PodDisruptionBudget ${name} to allow 3 disruptions`, 60_000, async () => {
      const pdb = await ctx.cluster.policy.readNamespacedPodDisruptionBudget({ name, namespace });
      const st = pdb.status;
      return { ok: st?.disruptionsAllowed === 3 && st.observedGeneration === pdb.metadata?.generation, seen: JSON.stringify(st ?? {}) };
    });
    ctx.log(`fault: PodDisruptionBudget ${name} loosened to maxUnavailable=3`);
  }, 1),
  summary: () => `seed ${seed}`,
}, (t) => {
  it('both evictions were admitted (none refused)', function () {
    const evict = t.run.result.recoveryByDisruption?.find((k) => k.disruption === 'evict');
    expect(evict, JSON.stringify(t.run.result.recoveryByDisruption)).to.include({ killed: 2, refused: 0 });
  });

  it('STS-PDB fails, naming pod web-2 and pod web-0, against the run\'s own budget', function () {
    const c = expectCheck(t.run, 'STS-PDB', 'failed', 'pod web-2');
    expect(c.evidence.some((e) => e.subject === 'pod web-0')).to.equal(true);
    expect(evidenceText(c)).to.include('over the 1 that PodDisruptionBudget web-budget (maxUnavailable=1) allows');
  });

  it('the StatefulSet itself recovered: STS-RECOVERY passes', function () {
    expectCheck(t.run, 'STS-RECOVERY', 'passed', /^pod web-/);
  });

  it('exits 1', function () {
    expectExit(t.run, 1);
  });
});
