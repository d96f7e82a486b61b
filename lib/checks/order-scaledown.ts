// STS-ORDER-SCALEDOWN: with OrderedReady, the controller removes the highest ordinal
// first, waits for each pod to be gone before it starts terminating the next, and
// deletes a condemned pod only while the pods that stay are all Running and Ready (and
// Available, with minReadySeconds; the causal rule judges that). In
// kubernetes/kubernetes pkg/controller/statefulset/stateful_set_control.go,
// `updateStatefulSet` runs `processReplica` over every remaining replica first (it
// returns, blocking, at one that is terminating or not Running and Ready) and only then
// `processCondemned` over the condemned pods in descending ordinal order, which waits
// while a condemned pod is terminating. The remaining pods' readiness is judged with the
// causal rule (lib/timeline/causal.ts): a violation only if at no moment between the
// previous removal's completion (or the scale-down request) and this pod's termination
// were they all Ready, since the controller acted on a cache snapshot. Lower condemned
// pods are not required Ready: upstream deletes a Ready condemned pod even while a lower
// condemned one is unhealthy.
// "Starts terminating" is the first entry showing a deletionTimestamp (or the DELETED
// itself when the pod left without a grace period). A termination the taint-eviction
// controller caused (lib/timeline/kills.ts: a node that went stale, e.g. after an API
// outage) is not the controller's step: it is reported, not judged.
import { judgeCreation } from '../timeline/causal.ts';
import { describeTaintEviction, taintEvictionsIn, type TaintEviction } from '../timeline/kills.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { TimelineEntry } from '../timeline/entries.ts';
import {
  errored,
  failed,
  findMarker,
  firstOf,
  inOrder,
  isPodEntry,
  markerAt,
  minReadySecondsOf,
  passed,
  podName,
  skipped,
  startOrdinal,
} from './support.ts';

export const orderScaleDown: CheckDefinition = {
  id: 'STS-ORDER-SCALEDOWN',
  guarantee: 'scale-down terminates the highest ordinal first, one at a time, each while the remaining pods are Running and Ready',
  run: judgeScaleDown,
};

// Order is judged by timeline position (seq), which follows resourceVersion; the times
// (t) are only reported, since two entries can share a millisecond.
interface Removal {
  pod: string;
  ordinal: number;
  terminating?: { index: number; seq: number; t: number }; // first entry showing the pod being deleted
  gone?: { index: number; seq: number; t: number }; // its DELETED
  /** The termination was the taint-eviction controller's, not the StatefulSet controller's. */
  evicted?: TaintEviction;
}

function judgeScaleDown(input: CheckInput): CheckOutcome {
  const { workload } = input;
  if (workload.kind === 'target') return skipped("a --target run never scales the StatefulSet (it is not the run's to change)");
  if (workload.podManagementPolicy === 'Parallel') return skipped('podManagementPolicy is Parallel: scale-down is not ordered');
  const entries = inOrder(input.timeline);
  const start = findMarker(entries, 'scale-down');
  const marker = markerAt(entries, start, 'scale-down');
  if (!marker) return skipped('the run did not scale the StatefulSet down (it needs at least 2 replicas and every round converged)');
  const endIdx = findMarker(entries, 'scale-down-complete', start);
  const aborted = markerAt(entries, endIdx, 'scale-down-complete')?.aborted;
  if (aborted !== undefined) {
    return errored(`the scale-down could not be judged: it did not finish (${aborted})`, [
      {
        subject: `StatefulSet ${workload.statefulSet}`,
        expected: `scaled ${marker.from} -> ${marker.to}`,
        observed: `aborted: ${aborted}`,
        at: entries[endIdx]?.t,
      },
    ]);
  }
  const { from, to } = marker;
  // from and to are replica counts; the pods are start..start+from-1 (spec.ordinals.start).
  const first = startOrdinal(workload);
  const removals = removalsOf(entries, input, start, endIdx, first + to, first + from - 1);
  const f: Findings = { problems: [], unjudged: [], evidence: [] };
  judgeOneAtATime(removals, to, f);
  judgeRemainingReady(entries, input, start, first, to, removals, f);
  const { problems, unjudged, evidence } = f;
  if (problems.length) return failed(firstOf(problems), evidence);
  if (unjudged.length) return errored(firstOf(unjudged), evidence);
  const evicted = removals.filter((r) => r.evicted).map((r) => `${r.pod} by taint eviction on node ${r.evicted?.node ?? '(unknown)'}`);
  return passed(
    `scaled ${from} -> ${to}: ${removals.map((r) => r.pod).join(', ')} removed highest first, one at a time, while ${remaining(input, first, to)} stayed Ready${evicted.length ? ` (not the controller's steps: ${evicted.join(', ')})` : ''}`,
    [
      ...removals.map((r) => ({
        subject: `pod ${r.pod}`,
        observed: `terminating t=${r.terminating?.t}ms, gone t=${r.gone?.t}ms`,
        at: r.terminating?.t,
      })),
      ...evidence,
    ],
  );
}

interface Findings {
  problems: string[];
  unjudged: string[];
  evidence: Evidence[];
}

/** The pods that stay, for messages: "web-0" or "web-0..web-2". */
const remaining = ({ workload }: CheckInput, first: number, to: number): string =>
  to === 1 ? podName(workload, first) : `${podName(workload, first)}..${podName(workload, first + to - 1)}`;

/** The condemned pods, highest ordinal first, with when each began terminating and was gone. */
function removalsOf(
  entries: TimelineEntry[],
  { workload }: CheckInput,
  start: number,
  endIdx: number,
  lowest: number,
  highest: number,
): Removal[] {
  const removals: Removal[] = [];
  for (let o = highest; o >= lowest; o--) removals.push({ pod: podName(workload, o), ordinal: o });
  const byName = new Map(removals.map((r) => [r.pod, r]));
  const last = endIdx < 0 ? entries.length : endIdx + 1;
  for (let i = start; i < last; i++) {
    const e = entries[i];
    if (!e || !isPodEntry(e)) continue;
    const r = byName.get(e.name);
    if (!r) continue;
    const at = { index: i, seq: e.seq, t: e.t };
    if (r.terminating === undefined && (e.type === 'DELETED' || e.pod.deletionTimestamp)) r.terminating = at;
    if (e.type === 'DELETED' && r.gone === undefined) r.gone = at;
  }
  const evictions = taintEvictionsIn(entries);
  for (const r of removals) r.evicted = evictions.find((v) => v.pod === r.pod && v.index === r.terminating?.index);
  return removals;
}

/** Every condemned pod gone, and none began terminating before the next higher one was gone. */
function judgeOneAtATime(removals: Removal[], to: number, f: Findings): void {
  for (const r of removals) {
    if (r.gone === undefined) {
      f.problems.push(`${r.pod} was not removed by the scale-down to ${to}`);
      f.evidence.push({
        subject: `pod ${r.pod}`,
        expected: `deleted by the scale-down to ${to} replicas`,
        observed: r.terminating === undefined ? 'never terminated' : `terminating since t=${r.terminating.t}ms, never gone`,
      });
    }
  }
  for (let i = 1; i < removals.length; i++) {
    const higher = removals[i - 1] as Removal;
    const lower = removals[i] as Removal;
    if (lower.terminating === undefined || higher.gone === undefined || lower.evicted) continue;
    if (lower.terminating.seq < higher.gone.seq) {
      f.problems.push(`${lower.pod} began terminating at t=${lower.terminating.t}ms, before ${higher.pod} was gone (t=${higher.gone.t}ms)`);
      f.evidence.push({
        subject: `pod ${lower.pod}`,
        expected: `terminated only after ${higher.pod} is gone (t=${higher.gone.t}ms)`,
        observed: `terminating at t=${lower.terminating.t}ms`,
        at: lower.terminating.t,
      });
    }
  }
}

/** The pods that stay (0..to-1) must have been all Ready at some moment of each removal's window. */
function judgeRemainingReady(
  entries: TimelineEntry[],
  input: CheckInput,
  start: number,
  first: number,
  to: number,
  removals: Removal[],
  f: Findings,
): void {
  const { workload } = input;
  const rest = remaining(input, first, to);
  const ready =
    minReadySecondsOf(workload) > 0 ? `Running, Ready and Available (minReadySeconds ${minReadySecondsOf(workload)})` : 'Running and Ready';
  const restReady = to === 1 ? `${rest} ${ready}` : `${rest} all ${ready}`;
  removals.forEach((r, i) => {
    if (r.evicted) {
      f.evidence.push({
        subject: `pod ${r.pod}`,
        observed: `uid ${r.evicted.uid} ${describeTaintEviction(r.evicted)}`,
        at: r.evicted.t,
        note: 'not judged as a scale-down step',
      });
      return;
    }
    if (r.terminating === undefined || to === 0) return;
    const prev = removals[i - 1]?.gone;
    const opensAt = prev && prev.index < r.terminating.index ? prev.index : start;
    const v = judgeCreation(entries, workload, first + to, { from: opensAt, to: r.terminating.index });
    if (v.allReadyAt) return;
    const opened = `${prev ? `${removals[i - 1]?.pod} was gone` : 'the scale-down was requested'} (t=${entries[opensAt]?.t}ms)`;
    for (const b of v.blockers) {
      f.evidence.push({
        subject: `pod ${r.pod}`,
        expected: `${restReady} at some moment between ${opened} and ${r.pod}'s termination (t=${r.terminating.t}ms)`,
        observed: `${b.pod} never Ready with the others; over the window: ${b.history || b.state}`,
        at: r.terminating.t,
      });
    }
    const names = v.blockers.map((b) => `${b.pod} (${b.state})`).join(', ');
    if (v.gaps.length > 0) f.unjudged.push(`${r.pod}'s termination could not be judged: the pod watch was down`);
    else
      f.problems.push(
        `${r.pod} began terminating at t=${r.terminating.t}ms although since ${opened} the remaining pods were never all Ready: ${names}`,
      );
  });
}
