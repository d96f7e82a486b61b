// STS-PVC-RETENTION: persistentVolumeClaimRetentionPolicy, judged at the two moments a
// run makes it act (lib/run/retention.ts). whenScaled, on the final scale-down: with Delete,
// upstream (stateful_set_control.go, fixPodClaim and UpdatePodClaimForRetentionPolicy)
// makes each condemned pod the owner of its claims, so the garbage collector deletes
// them once the pod is gone: every claim of a scaled-away ordinal must show its DELETED
// before the run's wait ended (`claims-scaled`); with Retain none may be marked for
// deletion until the run deletes the StatefulSet, which it does only after watching
// TIMEOUTS.scaleSettle (10 s) past the scale-down, so a late garbage-collector deletion is
// judged here and not under whenDeleted. whenDeleted, when the run deletes the
// StatefulSet: with Delete the set owns its claims and every claim present then must be
// DELETED before `statefulset-deleted`; with Retain none may be marked for deletion by
// then (the pods gone, plus a settle).
import { scaledAwayClaims } from '../names.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { TimelineEntry } from '../timeline/entries.ts';
import { errored, failed, findMarker, firstOf, inOrder, markerAt, passed, skipped } from './support.ts';

export const pvcRetention: CheckDefinition = {
  id: 'STS-PVC-RETENTION',
  guarantee:
    'claims are deleted or kept as persistentVolumeClaimRetentionPolicy says: whenScaled on scale-down, whenDeleted when the StatefulSet is deleted',
  run: judgeRetention,
};

interface Findings {
  problems: string[];
  unjudged: string[];
  evidence: Evidence[];
  ok: Evidence[];
  judged: string[];
}

type Policy = 'Retain' | 'Delete';

function judgeRetention(input: CheckInput): CheckOutcome {
  const { workload } = input;
  if (workload.claimTemplates.length === 0) return skipped('the StatefulSet has no volumeClaimTemplates');
  const options = workload.options;
  if (!options) return skipped('the run recorded no StatefulSet options, so not the retention policy it was judged under');
  const entries = inOrder(input.timeline);
  const f: Findings = { problems: [], unjudged: [], evidence: [], ok: [], judged: [] };
  const scaled = judgeScaled(input, entries, options.pvcRetention.whenScaled, f);
  const deleted = judgeDeleted(entries, options.pvcRetention.whenDeleted, f);
  if (!scaled && !deleted)
    return skipped('the run neither scaled the StatefulSet down nor deleted it (it needs at least 2 replicas and every round converged)');
  if (f.problems.length > 0) return failed(firstOf(f.problems), [...f.evidence, ...f.ok]);
  if (f.unjudged.length > 0) return errored(firstOf(f.unjudged), [...f.evidence, ...f.ok]);
  return passed(f.judged.join('; '), f.ok);
}

/** Judges claims over entries (from, to): Delete needs each DELETED there, Retain none marked for deletion. */
function judgeClaims(
  entries: TimelineEntry[],
  claims: string[],
  range: { from: number; to: number },
  rule: { key: 'whenScaled' | 'whenDeleted'; policy: Policy; when: string },
  f: Findings,
  endNote?: string,
): void {
  const { key, policy, when } = rule;
  const view = new Map<string, { present: boolean; terminating?: number; deleted?: { t: number; uid: string } }>(
    claims.map((c) => [c, { present: false }]),
  );
  entries.forEach((e, i) => {
    if (e.type === 'MARKER' || e.kind !== 'PersistentVolumeClaim' || i >= range.to) return;
    const s = view.get(e.name);
    if (!s) return;
    // A claim already on its way out (deletionTimestamp) when the window opens is not the policy's doing.
    if (i < range.from) s.present = e.type !== 'DELETED' && !e.pvc?.deletionTimestamp;
    else if (e.type === 'DELETED') s.deleted ??= { t: e.t, uid: e.pvc?.uid ?? 'unknown' };
    else if (e.pvc?.deletionTimestamp) s.terminating ??= e.t;
  });
  const endT = entries[range.to]?.t;
  for (const [claim, s] of view) {
    const subject = `PVC ${claim}`;
    if (!s.present) {
      f.ok.push({ subject, note: `gone or being deleted before ${when}; not judged for it` });
    } else if (policy === 'Delete' && !s.deleted) {
      const state =
        s.terminating !== undefined ? `marked for deletion at t=${s.terminating}ms but never gone` : 'never marked for deletion';
      f.problems.push(`${claim} was not deleted after ${when} although ${key} is Delete: ${state}`);
      f.evidence.push({
        subject,
        expected: `deleted after ${when} (${key}: Delete), before t=${endT}ms`,
        observed: `${state}${endNote ? `; the wait ended: ${endNote}` : ''}`,
        at: endT,
      });
    } else if (policy === 'Retain' && (s.deleted || s.terminating !== undefined)) {
      const t = s.terminating ?? s.deleted?.t;
      f.problems.push(`${claim} was ${s.deleted ? 'deleted' : 'marked for deletion'} at t=${t}ms after ${when} although ${key} is Retain`);
      f.evidence.push({
        subject,
        expected: `kept after ${when} (${key}: Retain)`,
        observed: s.deleted ? `DELETED uid ${s.deleted.uid} at t=${s.deleted.t}ms` : `deletionTimestamp set at t=${t}ms`,
        at: t,
      });
    } else {
      f.ok.push({
        subject,
        observed: policy === 'Delete' ? `deleted at t=${s.deleted?.t}ms (uid ${s.deleted?.uid})` : 'kept: never marked for deletion',
        at: s.deleted?.t,
        note: `${key} ${policy}`,
      });
    }
  }
}

function judgeScaled(input: CheckInput, entries: TimelineEntry[], policy: Policy, f: Findings): boolean {
  const start = findMarker(entries, 'scale-down');
  const sd = markerAt(entries, start, 'scale-down');
  if (!sd) return false;
  const when = `the scale-down ${sd.from} -> ${sd.to}`;
  const claims = scaledAwayClaims(input.workload, sd.from, sd.to);
  const endIdx = findMarker(entries, 'claims-scaled', start);
  const end = markerAt(entries, endIdx, 'claims-scaled');
  const subject = `StatefulSet ${input.workload.statefulSet}`;
  if (!end || end.unobserved !== undefined) {
    const done = markerAt(entries, findMarker(entries, 'scale-down-complete', start), 'scale-down-complete');
    const why =
      end?.unobserved ??
      (done?.aborted !== undefined ? `the scale-down did not finish (${done.aborted})` : 'the run stopped before it looked at the claims');
    f.unjudged.push(`whenScaled ${policy} could not be judged: ${why}`);
    f.evidence.push({ subject, expected: `the claims followed after ${when}`, observed: why });
    return true;
  }
  // Delete: up to the end of the run's wait; Retain: until the run deletes the StatefulSet
  // (from then on whenDeleted decides), or as long as the recording shows.
  const deleting = findMarker(entries, 'statefulset-delete', endIdx);
  const to = policy === 'Delete' ? endIdx : deleting < 0 ? entries.length : deleting;
  judgeClaims(entries, claims, { from: start, to }, { key: 'whenScaled', policy, when }, f, end.aborted);
  if (policy === 'Delete') {
    f.judged.push(`whenScaled Delete: ${claims.join(', ') || 'no claims'} deleted after the scale-down ${sd.from} -> ${sd.to}`);
    return true;
  }
  // The window a wrongful deletion had to show in: from the last scaled-away pod gone to the StatefulSet delete.
  const complete = markerAt(entries, findMarker(entries, 'scale-down-complete', start), 'scale-down-complete');
  const last = entries[to - 1] ?? end;
  const watched = complete ? ` and ${((last.t - complete.t) / 1000).toFixed(1)}s after its pods were gone` : '';
  f.judged.push(`whenScaled Retain: ${claims.join(', ') || 'no claims'} kept through the scale-down ${sd.from} -> ${sd.to}${watched}`);
  return true;
}

function judgeDeleted(entries: TimelineEntry[], policy: Policy, f: Findings): boolean {
  const start = findMarker(entries, 'statefulset-delete');
  const del = markerAt(entries, start, 'statefulset-delete');
  if (!del) {
    f.ok.push({ subject: 'whenDeleted', note: `whenDeleted ${policy} not judged: the run did not delete the StatefulSet` });
    return false;
  }
  const when = 'the StatefulSet was deleted';
  const endIdx = findMarker(entries, 'statefulset-deleted', start);
  const end = markerAt(entries, endIdx, 'statefulset-deleted');
  if (!end || end.unobserved !== undefined) {
    const why = end?.unobserved ?? 'the run stopped before the deletion was followed to its end';
    f.unjudged.push(`whenDeleted ${policy} could not be judged: ${why}`);
    f.evidence.push({ subject: 'whenDeleted', expected: `the claims followed after ${when}`, observed: why });
    return true;
  }
  judgeClaims(entries, del.claims, { from: start, to: endIdx }, { key: 'whenDeleted', policy, when }, f, end.aborted);
  f.judged.push(
    `whenDeleted ${policy}: ${del.claims.join(', ') || 'no claims'} ${policy === 'Delete' ? 'deleted with' : 'kept after deleting'} the StatefulSet`,
  );
  return true;
}
