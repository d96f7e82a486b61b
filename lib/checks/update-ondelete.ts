// STS-UPDATE-ONDELETE: with OnDelete the controller never replaces a pod for an update
// (upstream updateStatefulSet returns before the update loop for OnDelete); a pod
// changes revision only by being deleted, and its replacement is created at the update
// revision (newVersionedStatefulSetPod: only RollingUpdate keeps ordinals at the current
// revision). During each step, until the next step or the run's scale-down/deletion:
// every generation that ends must have been ended by the run (a kill, operator-delete or
// operator-force-delete marker for its UID first) or have been Failed/Succeeded (the
// controller recreates those under any strategy); no generation's revision changes in
// place; and a pod whose DELETED came after the update-revision marker (the controller
// already on the new revision) must come back at it.
import { findMarker, isPodEntry } from '../timeline/queries.ts';
import type { TimelineEntry } from '../timeline/entries.ts';
import { NO_UPDATE, terminationsIn, type UpdateStep, updateSteps } from '../timeline/update.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence, WorkloadInfo } from '../model.ts';
import { errored, failed, firstOf, inOrder, ordinalOf, passed, skipped } from './support.ts';
import { stepUnjudgeable } from './update-order.ts';

export const updateOnDelete: CheckDefinition = {
  id: 'STS-UPDATE-ONDELETE',
  guarantee: 'with OnDelete no pod changes revision until it is deleted, and a deleted pod comes back at the update revision',
  run: judgeOnDelete,
};

interface Findings {
  problems: string[];
  unjudged: string[];
  evidence: Evidence[];
  ok: Evidence[];
  summary: string[];
}

function judgeOnDelete(input: CheckInput): CheckOutcome {
  const entries = inOrder(input.timeline);
  const steps = updateSteps(entries);
  if (steps.length === 0) return skipped(NO_UPDATE);
  const judged = steps.filter((s) => s.start.strategy === 'OnDelete');
  if (judged.length === 0)
    return skipped(
      `updateStrategy is ${steps[0]?.start.strategy}, not OnDelete: no pod waits for a deletion, the controller moves them to the update revision (STS-UPDATE-ORDER judges it)`,
    );
  const f: Findings = { problems: [], unjudged: [], evidence: [], ok: [], summary: [] };
  for (const s of judged) {
    const next = steps.find((x) => x.startIdx > s.startIdx)?.startIdx ?? entries.length;
    const stops = [next, findMarker(entries, 'scale-down', s.startIdx), findMarker(entries, 'statefulset-delete', s.startIdx)].filter(
      (i) => i >= 0,
    );
    judgeStep(entries, input.workload, s, Math.min(...stops), f);
  }
  if (f.problems.length > 0) return failed(firstOf(f.problems), [...f.evidence, ...f.ok]);
  if (f.unjudged.length > 0) return errored(firstOf(f.unjudged), [...f.evidence, ...f.ok]);
  return passed(f.summary.join('; '), f.ok);
}

function judgeStep(entries: readonly TimelineEntry[], workload: WorkloadInfo, s: UpdateStep, until: number, f: Findings): void {
  const unready = stepUnjudgeable(s);
  if (unready) {
    f.unjudged.push(unready.why);
    f.evidence.push(unready.evidence);
    if (unready.before) return;
  }
  const to = s.to ?? '';
  const label = `${s.step} step`;
  judgeInPlaceChanges(entries, workload, s, until, label, f);
  const deleted: string[] = [];
  for (const t of terminationsIn(entries, workload, { from: s.startIdx, to: until })) {
    const subject = `pod ${t.pod}`;
    const back = t.successor
      ? `came back at revision ${t.successor.revision ?? '?'} (uid ${t.successor.uid}) at t=${t.successor.added.t}ms`
      : 'not seen back';
    if (t.cause === 'unexplained') {
      f.problems.push(
        `${t.pod} (uid ${t.uid}, revision ${t.revision ?? '?'}) began terminating at t=${t.at.t}ms although neither the run's chaos nor an operator-delete deleted it (${label}, OnDelete); it ${back}`,
      );
      f.evidence.push({
        subject,
        expected: 'left alone until the run deletes it (OnDelete)',
        observed: `terminating at t=${t.at.t}ms, deleted by no one the run knows; ${back}`,
        at: t.at.t,
      });
      continue;
    }
    deleted.push(t.pod);
    const gone = t.deleted;
    const afterRevision = s.revisionIdx >= 0 && gone !== undefined && gone.index > s.revisionIdx;
    if (!afterRevision || !t.successor) {
      const why = !t.successor
        ? 'not seen back before the step ended (STS-RECOVERY judges recovery)'
        : 'deleted before the controller reported the update revision: either revision is allowed';
      f.ok.push({ subject, observed: `ended by ${t.cause} at t=${t.at.t}ms; ${back}`, note: why });
    } else if (t.successor.revision !== to) {
      f.problems.push(
        `${t.pod} came back at revision ${t.successor.revision ?? 'none'} at t=${t.successor.added.t}ms after its ${t.cause} (t=${t.at.t}ms), not the update revision ${to} (${label}, OnDelete)`,
      );
      f.evidence.push({
        subject,
        expected: `recreated at revision ${to}`,
        observed: `recreated at revision ${t.successor.revision ?? 'none'} (uid ${t.successor.uid})`,
        at: t.successor.added.t,
      });
    } else {
      f.ok.push({ subject, observed: `ended by ${t.cause} at t=${t.at.t}ms; ${back}` });
    }
  }
  f.summary.push(
    `${label} to ${to}: ${deleted.length > 0 ? `${deleted.join(', ')} changed revision only through deletion and came back at it` : 'no pod was deleted, none changed revision'}`,
  );
}

/** A generation's revision label changing under the same UID: changed without a deletion, which OnDelete forbids. */
function judgeInPlaceChanges(
  entries: readonly TimelineEntry[],
  workload: WorkloadInfo,
  s: UpdateStep,
  until: number,
  label: string,
  f: Findings,
): void {
  const seen = new Map<string, string>();
  for (let i = 0; i < until; i++) {
    const e = entries[i];
    if (
      !e ||
      !isPodEntry(e) ||
      e.type === 'DELETED' ||
      e.pod.revision === undefined ||
      ordinalOf(workload.statefulSet, e.name) === undefined
    )
      continue;
    const before = seen.get(e.pod.uid);
    seen.set(e.pod.uid, e.pod.revision);
    if (i <= s.startIdx || before === undefined || before === e.pod.revision) continue;
    f.problems.push(
      `${e.name} (uid ${e.pod.uid}) changed revision ${before} -> ${e.pod.revision} at t=${e.t}ms without being deleted (${label}, OnDelete)`,
    );
    f.evidence.push({
      subject: `pod ${e.name}`,
      expected: `revision ${before} until the pod is deleted`,
      observed: `revision ${e.pod.revision} on the same pod (uid ${e.pod.uid})`,
      at: e.t,
    });
  }
}
