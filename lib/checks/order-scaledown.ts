// STS-ORDER-SCALEDOWN: with OrderedReady, the controller removes the highest ordinal
// first and waits for each pod to be gone before it starts terminating the next.
// "Starts terminating" is the first entry showing a deletionTimestamp (or the DELETED
// itself when the pod left without a grace period).
import type { CheckDefinition, CheckInput, CheckOutcome, Evidence } from '../types.ts';
import { failed, findMarker, firstOf, inOrder, isPodEntry, markerAt, passed, skipped } from './support.ts';

export const orderScaleDown: CheckDefinition = {
  id: 'STS-ORDER-SCALEDOWN',
  guarantee: 'scale-down terminates the highest ordinal first, one at a time',
  run: judgeScaleDown,
};

// Order is judged by timeline position (seq), which follows resourceVersion; the times
// (t) are only reported, since two entries can share a millisecond.
interface Removal {
  pod: string;
  ordinal: number;
  terminating?: { seq: number; t: number }; // first entry showing the pod being deleted
  gone?: { seq: number; t: number }; // its DELETED
}

function judgeScaleDown(input: CheckInput): CheckOutcome {
  const { workload } = input;
  if (workload.podManagementPolicy === 'Parallel') return skipped('podManagementPolicy is Parallel: scale-down is not ordered');
  const entries = inOrder(input.timeline);
  const start = findMarker(entries, 'scale-down');
  if (start < 0) return skipped('the run did not scale the StatefulSet down (it needs at least 2 replicas and every round converged)');
  const endIdx = findMarker(entries, 'scale-down-complete', start);
  const aborted = markerAt(entries, endIdx)?.detail;
  if (aborted?.startsWith('aborted')) throw new Error(`the scale-down could not be judged: ${aborted}`);
  const to = Number(/->\s*(\d+)/.exec(markerAt(entries, start)?.detail ?? '')?.[1] ?? Number.NaN);
  if (!Number.isInteger(to)) throw new Error('the scale-down marker does not say the target replica count ("N -> M")');

  const removals = new Map<string, Removal>();
  for (let o = workload.replicas - 1; o >= to; o--) removals.set(`${workload.statefulSet}-${o}`, { pod: `${workload.statefulSet}-${o}`, ordinal: o });
  for (const e of entries.slice(start, endIdx < 0 ? entries.length : endIdx + 1)) {
    if (!isPodEntry(e)) continue;
    const r = removals.get(e.name);
    if (!r) continue;
    if (r.terminating === undefined && (e.type === 'DELETED' || e.pod.deletionTimestamp)) r.terminating = { seq: e.seq, t: e.t };
    if (e.type === 'DELETED' && r.gone === undefined) r.gone = { seq: e.seq, t: e.t };
  }

  const problems: string[] = [];
  const evidence: Evidence[] = [];
  const order = [...removals.values()]; // highest ordinal first
  for (const r of order) {
    if (r.gone === undefined) {
      problems.push(`${r.pod} was not removed by the scale-down to ${to}`);
      evidence.push({ subject: `pod ${r.pod}`, expected: `deleted by the scale-down to ${to} replicas`, observed: r.terminating === undefined ? 'never terminated' : `terminating since t=${r.terminating.t}ms, never gone` });
    }
  }
  for (let i = 1; i < order.length; i++) {
    const higher = order[i - 1] as Removal;
    const lower = order[i] as Removal;
    if (lower.terminating === undefined || higher.gone === undefined) continue;
    if (lower.terminating.seq < higher.gone.seq) {
      problems.push(`${lower.pod} began terminating at t=${lower.terminating.t}ms, before ${higher.pod} was gone (t=${higher.gone.t}ms)`);
      evidence.push({
        subject: `pod ${lower.pod}`,
        expected: `terminated only after ${higher.pod} is gone (t=${higher.gone.t}ms)`,
        observed: `terminating at t=${lower.terminating.t}ms`,
        at: lower.terminating.t,
      });
    }
  }
  if (problems.length) return failed(firstOf(problems), evidence);
  return passed(
    `scaled ${workload.replicas} -> ${to}: ${order.map((r) => r.pod).join(', ')} removed highest first, one at a time`,
    order.map((r) => ({ subject: `pod ${r.pod}`, observed: `terminating t=${r.terminating?.t}ms, gone t=${r.gone?.t}ms`, at: r.terminating?.t })),
  );
}
