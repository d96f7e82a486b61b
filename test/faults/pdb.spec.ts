// STS-PDB: the run's PodDisruptionBudget (maxUnavailable=1) is loosened behind the
// harness's back (replaced with maxUnavailable=3, as an operator or a controller
// overwriting it would) just before a round, and the API server, judging the loosened
// budget, admits what the run's budget forbids. Two rounds of it: evicting web-0 and
// web-2 at once, and "delete web-0, then evict web-2", where only one pod goes through an
// eviction but two are out when it is admitted: a budget counts every unavailable pod.
//
// Why a loosened budget and not the race the check exists for (an eviction admitted from
// a status the disruption controller has not yet recomputed): with the budget as the run
// made it, "delete web-0, then evict web-2" was refused (429) here, sequentially and in
// a burst, although the harness sends the eviction as soon as it sees web-0 go and sees
// the recomputed status only later (the second spec prints both delays): the controller
// wins the race to the API server, so it cannot be planted on demand. The loosened budget
// puts the same situation on the cluster (an eviction admitted while two pods are out)
// through the real API, controller and watch.
import { expect } from 'chai';
import { planRounds } from '../../lib/chaos/plan.ts';
import type { HookContext } from '../../lib/run/execute.ts';
import { at, evidenceText, expectCheck, expectExit, faultRun, seedKilling, waitUntil } from './support.ts';

const seed = seedKilling('web', ['web-0', 'web-2'], 'evict', { chaos: ['evict'], pattern: 'burst' });

/** Replaces the budget's maxUnavailable with 3 and waits until its status says so, so the fault is in place before the round. */
async function loosen(ctx: HookContext): Promise<void> {
  const namespace = ctx.workload.info.namespace;
  const name = ctx.workload.info.pdb?.name;
  if (!name) throw new Error('the run created no PodDisruptionBudget');
  await ctx.cluster.policy.patchNamespacedPodDisruptionBudget({
    name,
    namespace,
    body: [{ op: 'replace', path: '/spec/maxUnavailable', value: 3 }],
  });
  // The eviction API judges the budget's status: wait until the disruption controller has
  // recomputed it for the new spec, so the fault is in place before the evictions go out.
  await waitUntil(`PodDisruptionBudget ${name} to allow 3 disruptions`, 60_000, async () => {
    const pdb = await ctx.cluster.policy.readNamespacedPodDisruptionBudget({ name, namespace });
    const st = pdb.status;
    return { ok: st?.disruptionsAllowed === 3 && st.observedGeneration === pdb.metadata?.generation, seen: JSON.stringify(st ?? {}) };
  });
  ctx.log(`fault: PodDisruptionBudget ${name} loosened to maxUnavailable=3`);
}

faultRun(
  'fault: the PodDisruptionBudget is loosened to maxUnavailable=3 before a round evicting web-0 and web-2 at once',
  {
    argv: ['--rounds', '1', '--seed', String(seed), '--chaos', 'evict', '--timeout', '120'],
    hook: at('before-kills', loosen, 1),
    summary: () => `seed ${seed}`,
  },
  (t) => {
    it('both evictions were admitted (none refused)', function () {
      const evict = t.run.result.recoveryByDisruption?.find((k) => k.disruption === 'evict');
      expect(evict, JSON.stringify(t.run.result.recoveryByDisruption)).to.include({ killed: 2, refused: 0 });
    });

    it("STS-PDB fails, naming pod web-2 and pod web-0, against the run's own budget", function () {
      const c = expectCheck(t.run, 'STS-PDB', 'failed', 'pod web-2');
      expect(c.evidence.some((e) => e.subject === 'pod web-0')).to.equal(true);
      expect(c.message).to.include('over the 1 that PodDisruptionBudget web-budget (maxUnavailable=1) allows');
      expect(evidenceText(c), evidenceText(c)).to.match(
        /unavailable when the eviction of web-[02] was admitted: (its eviction already admitted|terminating since|deleted at|not Ready)/,
      );
    });

    it('the StatefulSet itself recovered: STS-RECOVERY passes', function () {
      expectCheck(t.run, 'STS-RECOVERY', 'passed', /^pod web-/);
    });

    it('exits 1', function () {
      expectExit(t.run, 1);
    });
  },
);

/** The first seed whose round 1 is sequential: delete web-0, then evict web-2. */
function deleteThenEvict(): number {
  for (let seed = 1; seed < 100_000; seed++) {
    const r = planRounds({ seed, statefulSet: 'web', replicas: 3, rounds: 1, actions: ['delete', 'evict'] })[0];
    const k = (r?.kills ?? []).map((x) => `${x.pod} ${x.action}`).join(', ');
    if (r?.pattern === 'sequential' && k === 'web-0 delete, web-2 evict') return seed;
  }
  throw new Error('no seed below 100000 deletes web-0, then evicts web-2 in round 1');
}
const sequential = deleteThenEvict();

/**
 * From the recorded timeline, how the race the check exists for played out: web-0 seen
 * going, the disruption controller's status counting it, and the eviction of web-2 sent.
 */
let race = 'not measured';
function measureRace(ctx: HookContext): Promise<void> {
  const tl = ctx.recorder.timeline;
  const out = tl.find((e) => e.type !== 'MARKER' && e.kind === 'Pod' && e.name === 'web-0' && e.pod?.deletionTimestamp);
  const counted =
    out && tl.find((e) => e.seq > out.seq && e.type !== 'MARKER' && e.kind === 'PodDisruptionBudget' && (e.pdb?.currentHealthy ?? 3) < 3);
  const sent = tl.find((e) => e.type === 'MARKER' && e.marker === 'kill' && e.pod === 'web-2');
  const at = (e: { t: number } | undefined): string => (e && out ? `${Math.round(e.t - out.t)} ms` : 'not seen');
  race = `after web-0 was seen terminating: the budget's status counted it after ${at(counted)}, the eviction of web-2 was sent after ${at(sent)}`;
  return Promise.resolve();
}

faultRun(
  'fault: the PodDisruptionBudget is loosened to maxUnavailable=3 before a round deleting web-0, then evicting web-2',
  {
    argv: ['--rounds', '1', '--seed', String(sequential), '--chaos', 'delete,evict', '--timeout', '120'],
    hook: (ctx) =>
      ctx.phase === 'before-kills' && ctx.round === 1 ? loosen(ctx) : ctx.phase === 'after-kills' ? measureRace(ctx) : Promise.resolve(),
    summary: () => `seed ${sequential}; ${race}`,
  },
  (t) => {
    it('STS-PDB fails for the one eviction, naming web-2 and the deleted web-0 that was out when it was admitted', function () {
      const c = expectCheck(t.run, 'STS-PDB', 'failed', 'pod web-2');
      expect(c.message).to.match(
        /^the eviction of web-2 \(round 1\) was admitted at resourceVersion \d+ .* while 2 pods were unavailable with it \(web-0, web-2\), over the 1 that PodDisruptionBudget web-budget \(maxUnavailable=1\) allows$/,
      );
      const web0 = c.evidence.find((e) => e.subject === 'pod web-0');
      expect(web0?.observed).to.match(/^unavailable when the eviction of web-2 was admitted: (terminating since|deleted at|not Ready)/);
      // The budget's status was watched: the evidence shows what the API judged against (the loosened budget).
      expect(evidenceText(c)).to.match(/the budget's status then: disruptionsAllowed [23], currentHealthy [23], desiredHealthy 0/);
    });

    it('the StatefulSet recovered (STS-RECOVERY passes) and the run exits 1', function () {
      expectCheck(t.run, 'STS-RECOVERY', 'passed', /^pod web-/);
      expectExit(t.run, 1);
    });
  },
);
