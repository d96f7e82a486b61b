// STS-UPDATE-ROLLBACK: after the run puts the original template back (the rollback
// step), every pod ends at the original revision, the forward step's `from` (upstream
// finds the ControllerRevision equal to the restored template and reuses it, so the
// revision name is the original one), and with RollingUpdate the controller replaces
// them in order, judged exactly as STS-UPDATE-ORDER judges the forward step. The end is
// the rollback step's update-complete; with OnDelete the run deletes the pods itself, so
// only the end state is this check's (STS-UPDATE-ONDELETE judges the rest).
import { ordinals, podName } from '../names.ts';
import { NO_UPDATE, podGapsBetween, podsAt, updateSteps } from '../timeline/update.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import { errored, failed, firstOf, inOrder, passed, skipped } from './support.ts';
import { judgeStepOrder, stepUnjudgeable } from './update-order.ts';

export const updateRollback: CheckDefinition = {
  id: 'STS-UPDATE-ROLLBACK',
  guarantee: 'after a rollback to the previous template every pod ends at the original revision, replaced in order (highest first)',
  run: judgeRollback,
};

function judgeRollback(input: CheckInput): CheckOutcome {
  const { workload } = input;
  const entries = inOrder(input.timeline);
  const steps = updateSteps(entries);
  const forward = steps.find((s) => s.step === 'forward');
  if (!forward) return skipped(NO_UPDATE);
  const s = steps.find((x) => x.step === 'rollback');
  if (!s) return skipped(`the run's update (mode ${forward.start.mode}) had no rollback step`);
  const original = forward.start.from;
  const unready = stepUnjudgeable(s);
  if (s.complete?.unobserved !== undefined || !s.complete) {
    return errored(unready?.why ?? 'the rollback did not end', unready ? [unready.evidence] : []);
  }
  const problems: string[] = [];
  const unjudged: string[] = [];
  const evidence: Evidence[] = [];
  const ok: Evidence[] = [];
  const end = s.completeIdx;
  const endT = entries[end]?.t ?? 0;
  const aborted = s.complete.aborted !== undefined ? `; the run's wait ended: ${s.complete.aborted}` : '';
  const last = podsAt(entries, workload, end);
  for (const o of ordinals(workload)) {
    const name = podName(workload, o);
    const e = last.get(name);
    const rev = e && e.type !== 'DELETED' ? e.pod.revision : undefined;
    if (rev === original) {
      ok.push({ subject: `pod ${name}`, observed: `at the original revision ${original} at t=${endT}ms (uid ${e?.pod.uid})` });
      continue;
    }
    const seen = e && e.type !== 'DELETED' ? `revision ${rev ?? 'none'} (uid ${e.pod.uid}, as of t=${e.t}ms)` : 'no pod';
    problems.push(`${name} was at ${seen} when the rollback ended (t=${endT}ms), not the original revision ${original}${aborted}`);
    evidence.push({
      subject: `pod ${name}`,
      expected: `the original revision ${original} (the forward step's from)`,
      observed: seen,
      at: endT,
    });
  }
  if (s.to !== undefined && s.to !== original) {
    evidence.push({
      subject: 'rollback update',
      expected: `status.updateRevision ${original}`,
      observed: `${s.to}`,
      note: 'the controller named another revision for the restored template',
    });
  }
  if (problems.length > 0 && podGapsBetween(entries, endT, endT).length > 0) {
    unjudged.push("the pod watch was down when the rollback ended: the pods' revisions then were not seen");
    problems.length = 0;
  }
  let order = '';
  if (s.start.strategy === 'RollingUpdate' && s.to !== undefined) {
    const o = judgeStepOrder(entries, workload, s);
    problems.push(...o.problems);
    unjudged.push(...o.unjudged);
    (o.problems.length > 0 || o.unjudged.length > 0 ? evidence : ok).push(...o.evidence);
    order = o.replaced.length > 0 ? `; replaced ${o.replaced.join(', ')}, highest first` : '';
  } else if (s.start.strategy === 'RollingUpdate') {
    unjudged.push(unready?.why ?? 'the rollback step has no update-revision marker');
  }
  if (problems.length > 0) return failed(firstOf(problems), [...evidence, ...ok]);
  if (unjudged.length > 0) return errored(firstOf(unjudged), [...evidence, ...ok]);
  return passed(`rolled back to ${original}: every pod at it when the rollback ended (t=${endT}ms)${order}`, ok);
}
