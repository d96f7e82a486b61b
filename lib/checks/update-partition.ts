// STS-UPDATE-PARTITION: with RollingUpdate and partition p, ordinals below start+p keep
// the revision they had (the step's `from`), whatever happens to them: upstream
// newVersionedStatefulSetPod creates an ordinal below the partition from the current
// revision, so a pod killed and recreated mid-update comes back old; and the update
// loop never goes below the partition. Ordinals at or above it end the step at the
// update revision. Every entry of a low ordinal from the forward step's start until a
// rollback step starts (or the recording ends) is judged; the high ones at the step's
// update-complete.
import { ordinals, podName, startOrdinal } from '../names.ts';
import { podGapsBetween, podsAt, terminationsIn, updateSteps, NO_UPDATE, type UpdateStep } from '../timeline/update.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { TimelineEntry } from '../timeline/entries.ts';
import { errored, failed, firstOf, inOrder, isPodEntry, passed, skipped } from './support.ts';
import { stepUnjudgeable } from './update-order.ts';

export const updatePartition: CheckDefinition = {
  id: 'STS-UPDATE-PARTITION',
  guarantee:
    'with a RollingUpdate partition, pods below it keep the old revision (also when killed and recreated) and pods at or above it end at the new one',
  run: judgePartition,
};

function judgePartition(input: CheckInput): CheckOutcome {
  const { workload } = input;
  const entries = inOrder(input.timeline);
  const steps = updateSteps(entries);
  const s = steps.find((x) => x.step === 'forward');
  if (!s) return skipped(NO_UPDATE);
  if (s.start.strategy === 'OnDelete') return skipped('updateStrategy is OnDelete: there is no partition (STS-UPDATE-ONDELETE judges it)');
  const unready = stepUnjudgeable(s);
  if (unready?.before) return errored(unready.why, [unready.evidence]);
  const { from, partition } = s.start;
  const to = s.to ?? '';
  if (to === from)
    return errored(`the update changed nothing: the update revision is the old one (${from})`, [
      { subject: 'forward update', observed: `update revision ${to} = from` },
    ]);
  const boundary = startOrdinal(workload) + partition;
  const f: Findings = { problems: [], evidence: [], ok: [] };
  const low = judgeBelow(entries, input, steps, s, boundary, f);
  const high = ordinals(workload).filter((o) => o >= boundary);
  const watchDown = judgeAbove(entries, input, s, high, boundary, f);
  const { problems, evidence, ok } = f;
  if (watchDown && problems.length === 0)
    return errored("the pod watch was down when the update ended: the pods' revisions then were not seen", [...evidence, ...ok]);
  if (problems.length > 0) return failed(firstOf(problems), [...evidence, ...ok]);
  if (unready) return errored(unready.why, [unready.evidence, ...ok]);
  const lowText = low.size > 0 ? `${[...low].join(', ')} kept ${from}` : 'no pod is held back';
  return passed(`partition ${partition}: ${lowText}; ${high.map((o) => podName(workload, o)).join(', ') || 'no pod'} ended at ${to}`, ok);
}

interface Findings {
  problems: string[];
  evidence: Evidence[];
  ok: Evidence[];
}

/**
 * Below the partition: every generation, for as long as the forward update is in force,
 * stays at the step's `from`. Returns the low pods' names.
 */
function judgeBelow(
  entries: TimelineEntry[],
  { workload }: CheckInput,
  steps: UpdateStep[],
  s: UpdateStep,
  boundary: number,
  f: Findings,
): Set<string> {
  const { from } = s.start;
  const until = steps.find((x) => x.step === 'rollback')?.startIdx ?? entries.length;
  const low = new Set(
    ordinals(workload)
      .filter((o) => o < boundary)
      .map((o) => podName(workload, o)),
  );
  const ends = terminationsIn(entries, workload, { from: s.startIdx, to: until }).filter((t) => low.has(t.pod));
  const bad = new Set<string>();
  const badNames = new Set<string>();
  for (let i = s.startIdx + 1; i < until; i++) {
    const e = entries[i];
    if (!e || !isPodEntry(e) || !low.has(e.name) || e.type === 'DELETED' || e.pod.revision === undefined || e.pod.revision === from)
      continue;
    if (bad.has(e.pod.uid)) continue;
    bad.add(e.pod.uid);
    badNames.add(e.name);
    const prev = ends.find((t) => t.successor?.uid === e.pod.uid);
    const how = prev
      ? `, recreated after its previous pod (uid ${prev.uid}) ended by ${prev.cause === 'unexplained' ? 'a deletion the run did not make' : prev.cause} at t=${prev.at.t}ms`
      : '';
    f.problems.push(
      `${e.name} (uid ${e.pod.uid}${how}) was at revision ${e.pod.revision} at t=${e.t}ms although it is below the partition (ordinal < ${boundary}) and must keep ${from}`,
    );
    f.evidence.push({
      subject: `pod ${e.name}`,
      expected: `revision ${from} (ordinal below start+partition ${boundary})`,
      observed: `revision ${e.pod.revision} (uid ${e.pod.uid})${how}`,
      at: e.t,
    });
  }
  for (const name of [...low].filter((n) => !badNames.has(n))) {
    const kept = ends
      .filter((t) => t.pod === name && t.successor)
      .map((t) => `recreated at t=${t.successor?.added.t}ms at ${t.successor?.revision ?? '?'}`);
    f.ok.push({ subject: `pod ${name}`, observed: `kept revision ${from}${kept.length ? ` (${kept.join('; ')})` : ''}` });
  }
  return low;
}

/**
 * At or above the partition: at the update revision when the step completed. Returns
 * whether the pod watch was down then (a pod not seen at it is then not judged).
 */
function judgeAbove(
  entries: TimelineEntry[],
  { workload }: CheckInput,
  s: UpdateStep,
  high: number[],
  boundary: number,
  f: Findings,
): boolean {
  if (!s.complete || s.complete.unobserved !== undefined) return false;
  const to = s.to ?? '';
  const end = s.completeIdx;
  const endT = entries[end]?.t ?? 0;
  const gaps = podGapsBetween(entries, endT, endT);
  const last = podsAt(entries, workload, end);
  const aborted = s.complete.aborted !== undefined ? `; the run's wait ended: ${s.complete.aborted}` : '';
  for (const o of high) {
    const name = podName(workload, o);
    const e = last.get(name);
    const rev = e && e.type !== 'DELETED' ? e.pod.revision : undefined;
    if (rev === to) {
      f.ok.push({ subject: `pod ${name}`, observed: `at revision ${to} at t=${endT}ms` });
      continue;
    }
    if (gaps.length > 0) continue;
    const seen = e && e.type !== 'DELETED' ? `revision ${rev ?? 'none'} (uid ${e.pod.uid}, as of t=${e.t}ms)` : 'no pod';
    f.problems.push(`${name} was at ${seen} when the update ended (t=${endT}ms), not the update revision ${to}${aborted}`);
    f.evidence.push({
      subject: `pod ${name}`,
      expected: `revision ${to} (ordinal >= start+partition ${boundary})`,
      observed: seen,
      at: endT,
    });
  }
  return gaps.length > 0;
}
