// STS-UPDATE-ORDER: a RollingUpdate replaces pods highest ordinal first, one at a time
// (up to maxUnavailable), each once the ones above it are at the update revision and
// Running and Ready. Upstream (stateful_set_control.go, updateStatefulSet) reaches the
// update only after processReplica passed every replica (with OrderedReady: all
// present, Running, Ready and Available), then deletes the highest ordinal >= partition
// whose revision is not the update revision and returns, or waits while that ordinal
// is unavailable; with the MaxUnavailableStatefulSet gate
// (updateStatefulSetAfterInvariantEstablished) it deletes up to maxUnavailable minus
// the unavailable count, highest first, in one sync. The controller's act is the
// deletion; it is judged with the causal rule (docs/checks.md): a failure only if at no
// moment between the step's start (with one at a time: the previous replacement's
// deletion) and this deletion could the controller's cache have shown it allowed. A
// generation the run ended (kill, operator markers) is not the controller's: it may
// come back at the new revision out of turn.
import { ordinals, podName, startOrdinal } from '../names.ts';
import { clusterClock, describeClusterClock, judgingOffset } from '../timeline/cluster-clock.ts';
import { PodView, minReadySecondsOf, type Moment, type ReadyAt } from '../timeline/queries.ts';
import type { TimelineEntry } from '../timeline/entries.ts';
import { NO_UPDATE, podGapsBetween, terminationsIn, type Termination, type UpdateStep, updateSteps } from '../timeline/update.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence, WorkloadInfo } from '../model.ts';
import { errored, failed, firstOf, inOrder, passed, skipped } from './support.ts';

export const updateOrder: CheckDefinition = {
  id: 'STS-UPDATE-ORDER',
  guarantee:
    'a RollingUpdate replaces pods from the highest ordinal down, one at a time (or up to maxUnavailable), each after the ones above it are at the update revision and Running and Ready',
  run: judgeUpdateOrder,
};

function judgeUpdateOrder(input: CheckInput): CheckOutcome {
  const entries = inOrder(input.timeline);
  const forward = updateSteps(entries).find((s) => s.step === 'forward');
  if (!forward) return skipped(NO_UPDATE);
  if (forward.start.strategy === 'OnDelete')
    return skipped('updateStrategy is OnDelete: the controller replaces no pod for an update (STS-UPDATE-ONDELETE judges it)');
  const unready = stepUnjudgeable(forward);
  if (unready?.before) return errored(unready.why, [unready.evidence]);
  const o = judgeStepOrder(entries, input.workload, forward);
  if (o.problems.length > 0) return failed(firstOf(o.problems), o.evidence);
  if (unready) return errored(unready.why, [unready.evidence, ...o.evidence]);
  if (o.unjudged.length > 0) return errored(firstOf(o.unjudged), o.evidence);
  const order =
    o.replaced.length > 0
      ? `replaced ${o.replaced.join(', ')}, highest first, each once the pods above were at ${o.to} and Ready`
      : `the controller replaced no pod itself (${o.byRun} ended by the run)`;
  return passed(`forward update to ${o.to}: ${order}`, o.evidence);
}

/** Why a step cannot be judged: `before` when nothing can be (no target revision), else only if nothing failed. */
export function stepUnjudgeable(s: UpdateStep): { why: string; evidence: Evidence; before?: true } | undefined {
  const subject = `${s.step} update`;
  if (s.complete?.unobserved !== undefined) {
    return {
      why: `the ${s.step} update could not be followed to its end: ${s.complete.unobserved}`,
      evidence: { subject, observed: `unobserved: ${s.complete.unobserved}` },
    };
  }
  if (s.to === undefined) {
    return {
      why: `the controller never reported the ${s.step} step's update revision (no update-revision marker)`,
      evidence: { subject, expected: 'status.updateRevision naming the new revision', observed: 'not seen' },
      before: true,
    };
  }
  if (!s.complete)
    return {
      why: `the run stopped before the ${s.step} update completed (no update-complete marker)`,
      evidence: { subject, observed: 'no update-complete marker' },
    };
  return undefined;
}

export interface StepOrder {
  to: string;
  problems: string[];
  unjudged: string[];
  evidence: Evidence[];
  /** The pods the controller replaced for the update, in the order it did. */
  replaced: string[];
  byRun: number;
}

/** Judges every update replacement of one RollingUpdate step (its update-revision marker must be there). */
export function judgeStepOrder(entries: readonly TimelineEntry[], workload: WorkloadInfo, s: UpdateStep): StepOrder {
  const to = s.to ?? '';
  const out: StepOrder = { to, problems: [], unjudged: [], evidence: [], replaced: [], byRun: 0 };
  const lowest = startOrdinal(workload) + s.start.partition;
  const ends = terminationsIn(entries, workload, { from: s.startIdx, to: s.endIdx });
  const updates: Termination[] = [];
  for (const t of ends) {
    const subject = `pod ${t.pod}`;
    if (t.cause !== 'unexplained') {
      out.byRun++;
      const back = t.successor
        ? `came back at revision ${t.successor.revision ?? '?'} at t=${t.successor.added.t}ms`
        : 'not seen back in the step';
      out.evidence.push({
        subject,
        observed: `ended by ${t.cause} at t=${t.at.t}ms during the update; ${back}`,
        note: "not the controller's replacement: not judged for order",
      });
    } else if (t.revision === to) {
      out.evidence.push({ subject, observed: `ended at t=${t.at.t}ms already at revision ${to}`, note: 'not an update replacement' });
    } else if (t.ordinal < lowest) {
      out.evidence.push({
        subject,
        observed: `ended at t=${t.at.t}ms at revision ${t.revision ?? '?'}`,
        note: `below the partition (ordinal < ${lowest}): STS-UPDATE-PARTITION judges it`,
      });
    } else updates.push(t);
  }
  updates.forEach((u, k) => {
    out.replaced.push(u.pod);
    const prev = s.start.maxUnavailable === undefined ? updates[k - 1] : undefined;
    const open = prev ? prev.at.index : s.startIdx;
    const opened = `${prev ? `${prev.pod}'s replacement began` : `the ${s.step} update began`} (t=${entries[open]?.t ?? 0}ms)`;
    judgeOne(
      entries,
      workload,
      s,
      u,
      { open, opened, batchOf: (i) => updates.filter((x) => x.at.index > i && x.at.index <= u.at.index) },
      out,
    );
  });
  return out;
}

interface Window {
  open: number;
  opened: string;
  /** The update replacements the controller made between moment i and this one (a batch, with maxUnavailable). */
  batchOf: (i: number) => Termination[];
}

function judgeOne(
  entries: readonly TimelineEntry[],
  workload: WorkloadInfo,
  s: UpdateStep,
  u: Termination,
  w: Window,
  out: StepOrder,
): void {
  const minReadySeconds = minReadySecondsOf(workload);
  // Availability is judged on the cluster's clock (the kubelet stamped readySince).
  const clock = clusterClock(entries);
  const clusterOffsetMs = judgingOffset(clock);
  const view = new PodView();
  for (let i = 0; i < w.open; i++) view.apply(entries[i] as TimelineEntry);
  let ok: Moment | undefined;
  let blockers: string[] = [];
  for (let i = w.open; i < u.at.index; i++) {
    const e = entries[i] as TimelineEntry;
    view.apply(e);
    const at: ReadyAt = { minReadySeconds, wall: (entries[i + 1] ?? e).wall, clusterOffsetMs };
    blockers = blockersAt(view, at, workload, s, u, w.batchOf(i));
    if (blockers.length === 0) ok = { index: i, seq: e.seq, t: minReadySeconds > 0 ? (entries[i + 1] ?? e).t : e.t };
  }
  const subject = `pod ${u.pod}`;
  const succ = u.successor ? `; back at revision ${u.successor.revision ?? '?'} at t=${u.successor.added.t}ms` : '';
  const what = `replaced for the update at t=${u.at.t}ms (it was at revision ${u.revision ?? '?'})`;
  if (ok) {
    out.evidence.push({ subject, observed: `${what}; allowed at t=${ok.t}ms${succ}` });
    return;
  }
  const need = requirement(workload, s, u);
  const expected = `a moment between ${w.opened} and t=${u.at.t}ms with ${need}`;
  const clockNote = minReadySeconds > 0 ? { note: describeClusterClock(clock) } : {};
  out.evidence.push({ subject, expected, observed: `${what}${succ}; just before: ${blockers.join('; ')}`, at: u.at.t, ...clockNote });
  const gaps = podGapsBetween(entries, entries[w.open]?.t ?? 0, u.at.t);
  if (gaps.length > 0) {
    const g = gaps.map((x) => `t=${x.from}..${x.to}ms (${x.reason})`).join(', ');
    out.unjudged.push(`${u.pod}'s replacement at t=${u.at.t}ms could not be judged: the pod watch was down (${g})`);
    return;
  }
  out.problems.push(`${u.pod} was ${what} although at no moment since ${w.opened} were ${need}: ${blockers.join('; ')}`);
}

/** What the controller needed to see before replacing `u`; empty when it was allowed. */
function blockersAt(view: PodView, at: ReadyAt, workload: WorkloadInfo, s: UpdateStep, u: Termination, batch: Termination[]): string[] {
  const to = s.to;
  const max = s.start.maxUnavailable;
  const ordered = workload.podManagementPolicy !== 'Parallel';
  const inBatch = new Set(batch.map((b) => b.pod));
  const out: string[] = [];
  const unavailable = new Set<string>();
  for (const o of ordinals(workload)) {
    const name = podName(workload, o);
    if (name === u.pod) continue;
    const ready = view.isReady(name, at);
    const behind = o > u.ordinal && !inBatch.has(name) && view.state(name)?.revision !== to;
    if (behind) out.push(`${name} at revision ${view.state(name)?.revision ?? 'none'} (${view.describe(name)})`);
    if (ready) continue;
    // OrderedReady: processReplica waits for every pod; without the gate the update loop waits for the ones above.
    if ((ordered || (max === undefined && o > u.ordinal)) && !behind)
      out.push(`${name} not ${readyWord(workload)} (${view.describe(name)})`);
    if (ordered || max !== undefined || o > u.ordinal) unavailable.add(name);
  }
  const limit = max ?? 1;
  for (const b of batch) unavailable.add(b.pod);
  if (max !== undefined && unavailable.size > limit)
    out.push(
      `${unavailable.size} pods unavailable or being replaced at once (${[...unavailable].join(', ')}), beyond maxUnavailable ${limit}`,
    );
  if (max === undefined && batch.length > 1) out.push(`${batch.map((b) => b.pod).join(', ')} replaced at once`);
  return out;
}

function readyWord(workload: WorkloadInfo): string {
  const m = minReadySecondsOf(workload);
  return m > 0 ? `Running, Ready and Available (minReadySeconds ${m})` : 'Running and Ready';
}

function requirement(workload: WorkloadInfo, s: UpdateStep, u: Termination): string {
  const above = `the pods above ${u.pod} at revision ${s.to}`;
  const ready = readyWord(workload);
  const max = s.start.maxUnavailable;
  if (max !== undefined) {
    const others = workload.podManagementPolicy !== 'Parallel' ? `, every pod ${ready}` : '';
    return `${above} (or being replaced with it)${others} and at most ${max} pods unavailable`;
  }
  return workload.podManagementPolicy !== 'Parallel' ? `${above} and every pod ${ready}` : `${above}, ${ready}`;
}
