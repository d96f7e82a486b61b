// STS-PDB: the run's PodDisruptionBudget bounds what evictions may take away. While pods
// are out because of evictions (an admitted eviction's pod is terminating, gone or not
// Ready, until a new pod under its name is Ready), their number must never exceed what
// the budget allows. Pods out for other reasons (a delete, a container kill) are shown in
// the evidence but not charged to the budget: the eviction API judges them from the
// budget's status, which the disruption controller updates asynchronously, so counting
// them would blame the cluster for a race the budget never promised to close.
import { allowedUnavailable } from '../chaos/pdb.ts';
import { killsIn, type KillRecord } from '../timeline/kills.ts';
import type { CheckDefinition, CheckInput, CheckOutcome, Evidence } from '../types.ts';
import { PodView, errored, failed, inOrder, isPodEntry, isReady, ordinalOf, passed, podName, skipped } from './support.ts';

export const pdb: CheckDefinition = {
  id: 'STS-PDB',
  guarantee: 'evictions never take more pods out at once than the PodDisruptionBudget allows; a refused eviction (429) leaves its pod alone',
  run: judgePdb,
};

interface Out {
  uid: string;
  since: number;
  kill: KillRecord;
}

function judgePdb(input: CheckInput): CheckOutcome {
  const { workload } = input;
  const budget = workload.pdb;
  if (!budget) return skipped('the run created no PodDisruptionBudget (--pdb none, or no evict in --chaos)');
  const entries = inOrder(input.timeline);
  const evictions = killsIn(entries).filter((k) => k.marker.action === 'evict');
  if (evictions.length === 0) return skipped('no eviction was sent');
  const allowed = allowedUnavailable(budget, workload.replicas);
  const bound = budget.maxUnavailable !== undefined ? `maxUnavailable=${budget.maxUnavailable}` : `minAvailable=${budget.minAvailable}`;
  const admitted = new Map<string, KillRecord>();
  const out = new Map<string, Out>();
  const view = new PodView();
  const evidence: Evidence[] = [];
  let peak = 0;
  let violation: string | undefined;
  let blind: string | undefined;
  entries.forEach((e, index) => {
    if (e.type === 'MARKER') {
      const k = evictions.find((x) => x.index === index);
      if (k && k.expect !== 'refused') admitted.set(k.marker.uid, k);
      // A pod watch that was down while evicted pods were out may have missed a moment.
      if (e.marker === 'watch-gap' && e.kind === 'Pod' && out.size > 0) blind ??= `the pod watch was down from t=${e.from}ms to t=${e.to}ms while ${[...out.keys()].join(', ')} were out`;
      return;
    }
    if (!isPodEntry(e) || ordinalOf(workload.statefulSet, e.name) === undefined) return;
    view.apply(e);
    const kill = admitted.get(e.pod.uid);
    if (kill && !out.has(e.name) && (e.type === 'DELETED' || !isReady(e.pod))) {
      out.set(e.name, { uid: e.pod.uid, since: e.t, kill });
    } else if (out.has(e.name) && e.type !== 'DELETED' && isReady(e.pod) && !admitted.has(e.pod.uid)) {
      out.delete(e.name);
    }
    peak = Math.max(peak, out.size);
    if (out.size <= allowed || violation) return;
    const notReady = Array.from({ length: workload.replicas }, (_, i) => podName(workload, i)).filter((n) => !view.isReady(n));
    const names = [...out.keys()];
    violation = `${names.length} pods were out through evictions at once at t=${e.t}ms (${names.join(', ')}), over the ${allowed} that PodDisruptionBudget ${budget.name} (${bound}) allows; the last to go out: ${e.name}`;
    for (const [name, o] of [...out].reverse()) {
      evidence.push({
        subject: `pod ${name}`,
        expected: `at most ${allowed} pods out through evictions (PodDisruptionBudget ${budget.name}, ${bound})`,
        observed: `uid ${o.uid} evicted in round ${o.kill.marker.round} (eviction admitted, sent at t=${o.kill.marker.t}ms), out since t=${o.since}ms; ${names.length} out through evictions, ${notReady.length} of ${workload.replicas} not Ready (${notReady.join(', ')})`,
        at: e.t,
      });
    }
  });
  const refused = evictions.filter((k) => k.expect === 'refused');
  for (const k of refused) {
    evidence.push({ subject: `pod ${k.marker.pod}`, observed: `eviction refused (${k.refused?.status}): ${k.refused?.reason ?? ''}`, at: k.refused?.t ?? k.marker.t, note: `round ${k.marker.round}` });
  }
  if (violation) return failed(violation, evidence);
  const summary = `${admitted.size} evictions admitted, ${refused.length} refused (429); at most ${peak} pods out through evictions at once, within the ${allowed} that ${budget.name} (${bound}) allows`;
  if (blind) return errored(`${blind}: cannot say the budget held (${summary})`, evidence);
  return passed(summary, evidence);
}
