// STS-PVC-RETENTION: persistentVolumeClaimRetentionPolicy.whenScaled, judged on the
// run's final scale-down. With Delete, upstream (stateful_set_control.go, fixPodClaim
// and UpdatePodClaimForRetentionPolicy) makes each condemned pod the owner of its claims,
// so the garbage collector deletes them once the pod is gone: every claim of a
// scaled-away ordinal must show its DELETED on the watch before the run's wait for it
// ended (the `claims-scaled` marker). With Retain none of them may be marked for deletion
// or deleted from the scale-down to the end of the recording. The claims of the ordinals
// that stay are STS-PVC-BINDING's. whenDeleted is not judged: a run ends by deleting its
// namespace, which deletes every claim whatever the policy.
import { scaledAwayClaims } from '../retention.ts';
import type { CheckDefinition, CheckInput, CheckOutcome, Evidence } from '../types.ts';
import { errored, failed, findMarker, firstOf, inOrder, markerAt, passed, skipped } from './support.ts';

export const pvcRetention: CheckDefinition = {
  id: 'STS-PVC-RETENTION',
  guarantee: 'with whenScaled: Delete the claims of scaled-away ordinals are deleted, with Retain they are kept',
  run: judgeRetention,
};

interface Seen {
  present: boolean;
  terminating?: number;
  deleted?: { t: number; uid: string };
}

function judgeRetention(input: CheckInput): CheckOutcome {
  const { workload } = input;
  if (workload.claimTemplates.length === 0) return skipped('the StatefulSet has no volumeClaimTemplates');
  if (!workload.options) return skipped('the run recorded no StatefulSet options, so not the retention policy it was judged under');
  const entries = inOrder(input.timeline);
  const start = findMarker(entries, 'scale-down');
  const sd = markerAt(entries, start, 'scale-down');
  if (!sd) return skipped('the run did not scale the StatefulSet down (it needs at least 2 replicas and every round converged)');
  const policy = workload.options.pvcRetention.whenScaled;
  const claims = scaledAwayClaims(workload, sd.from, sd.to);
  const endIdx = findMarker(entries, 'claims-scaled', start);
  const end = markerAt(entries, endIdx, 'claims-scaled');
  const subject = `StatefulSet ${workload.statefulSet}`;
  if (!end) {
    const done = markerAt(entries, findMarker(entries, 'scale-down-complete', start), 'scale-down-complete');
    const why = done?.aborted !== undefined ? `the scale-down did not finish (${done.aborted})` : 'the run stopped before it looked at the claims';
    return errored(`whenScaled ${policy} could not be judged: ${why}`, [{ subject, expected: `claims-scaled after the scale-down ${sd.from} -> ${sd.to}`, observed: why }]);
  }
  if (end.unobserved !== undefined) {
    return errored(`whenScaled ${policy} could not be judged: ${end.unobserved}`, [{ subject, expected: `the watch to follow ${claims.join(', ')}`, observed: end.unobserved, at: end.t }]);
  }
  // Delete: judged up to the end of the run's wait; Retain: to the end of the recording.
  const last = policy === 'Delete' ? endIdx : entries.length;
  const seen = new Map<string, Seen>(claims.map((c) => [c, { present: false }]));
  entries.forEach((e, i) => {
    if (e.type === 'MARKER' || e.kind !== 'PersistentVolumeClaim' || i >= last) return;
    const s = seen.get(e.name);
    if (!s) return;
    if (i < start) {
      s.present = e.type !== 'DELETED';
      return;
    }
    if (e.type === 'DELETED') s.deleted ??= { t: e.t, uid: e.pvc?.uid ?? 'unknown' };
    else if (e.pvc?.deletionTimestamp) s.terminating ??= e.t;
  });

  const problems: string[] = [];
  const evidence: Evidence[] = [];
  const ok: Evidence[] = [];
  for (const [claim, s] of seen) {
    const sub = `PVC ${claim}`;
    if (!s.present) {
      // Gone before the scale-down: STS-PVC-BINDING's finding; nothing for the policy to act on.
      ok.push({ subject: sub, note: 'not present when the scale-down began; not judged here' });
      continue;
    }
    if (policy === 'Delete' && !s.deleted) {
      const state = s.terminating !== undefined ? `marked for deletion at t=${s.terminating}ms but never gone` : 'never marked for deletion';
      problems.push(`${claim} was not deleted after the scale-down ${sd.from} -> ${sd.to} although whenScaled is Delete: ${state}`);
      evidence.push({ subject: sub, expected: `deleted once its pod was gone (whenScaled: Delete), before t=${end.t}ms`, observed: `${state}${end.aborted ? `; the wait ended: ${end.aborted}` : ''}`, at: end.t });
    } else if (policy === 'Retain' && (s.deleted || s.terminating !== undefined)) {
      const t = s.terminating ?? s.deleted?.t;
      problems.push(`${claim} was ${s.deleted ? 'deleted' : 'marked for deletion'} at t=${t}ms after the scale-down although whenScaled is Retain`);
      evidence.push({ subject: sub, expected: 'kept after the scale-down (whenScaled: Retain)', observed: s.deleted ? `DELETED uid ${s.deleted.uid} at t=${s.deleted.t}ms` : `deletionTimestamp set at t=${t}ms`, at: t });
    } else {
      ok.push({ subject: sub, observed: policy === 'Delete' ? `deleted at t=${s.deleted?.t}ms (uid ${s.deleted?.uid})` : 'kept: never marked for deletion', at: s.deleted?.t });
    }
  }
  const note = { subject, note: `whenDeleted ${workload.options.pvcRetention.whenDeleted} is not judged: the run ends by deleting its namespace, which removes every claim` };
  if (problems.length > 0) return failed(firstOf(problems), [...evidence, ...ok, note]);
  const verb = policy === 'Delete' ? 'deleted after' : 'kept through';
  return passed(`whenScaled ${policy}: ${claims.join(', ') || 'no claims'} ${verb} the scale-down ${sd.from} -> ${sd.to}`, [...ok, note]);
}
