// STS-PVC-BINDING: a pod's claim is keyed by template and ordinal, so a recreated pod
// must mount the very same PVC object (UID), Bound, to the same PV whose claimRef names
// that PVC UID. An empty UID or phase is missing data (`error`), never equal to another.
// A claim deleted during the run fails it, except the claim of an ordinal the final
// scale-down removed when persistentVolumeClaimRetentionPolicy.whenScaled is Delete
// (after the scale-down marker that deletion is what the policy asks for), and any
// deletion once the run deletes the StatefulSet (`statefulset-delete`): both are
// STS-PVC-RETENTION's to judge. The evidence says which volume behaviour the run saw
// (lib/timeline/volumes.ts): node-pinned or shared; the binding is judged the same way for
// both, since a pinned volume moves its pod to its node, never the claim to another PV.
import { claimName } from '../names.ts';
import type { ClaimBinding } from '../probes/records.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { TimelineEntry } from '../timeline/entries.ts';
import { describeVolumes, volumeBehaviour } from '../timeline/volumes.ts';
import { errored, failed, findMarker, firstOf, inOrder, markerAt, ordinalOf, passed, skipped, startOrdinal } from './support.ts';

export const pvcBinding: CheckDefinition = {
  id: 'STS-PVC-BINDING',
  guarantee: 'each recreated pod mounts <claim>-<sts>-<ordinal> with the same PVC UID, bound to the same PV',
  run: judgePvc,
};

interface Findings {
  problems: string[];
  evidence: Evidence[];
  /** Claims found whole: the passing verdict's evidence. */
  ok: Evidence[];
  /** Claims a snapshot recorded only in part: an `error`, unless something failed. */
  unseen: Evidence[];
}

/** The part of the timeline where a claim's deletion fails the check. */
interface Window {
  from: number;
  until: number;
  /** Whether deleting this ordinal's claim at entry `i` is what whenScaled: Delete asks for. */
  scaledAway: (ordinal: number | undefined, i: number) => boolean;
}

const fail = (f: Findings, message: string, e: Evidence): void => {
  f.problems.push(message);
  f.evidence.push(e);
};

/** The fields a snapshot left empty: the recorder never saw them, so nothing can be compared. */
const missing = (c: ClaimBinding): string[] => (['pvcUid', 'pvName', 'pvUid', 'pvcPhase', 'pvClaimUid'] as const).filter((k) => !c[k]);

function judgePvc(input: CheckInput): CheckOutcome {
  const { workload, baseline, after } = input;
  if (workload.claimTemplates.length === 0) return skipped('the StatefulSet has no volumeClaimTemplates');
  const entries = inOrder(input.timeline);
  // Without a baseline marker any deletion in the run counts; earlier ones are as suspicious.
  const from = Math.max(0, findMarker(entries, 'baseline'));
  const deleteIdx = findMarker(entries, 'statefulset-delete', from);
  const until = deleteIdx < 0 ? entries.length : deleteIdx;
  const scaleIdx = findMarker(entries, 'scale-down', from);
  const scale = markerAt(entries, scaleIdx, 'scale-down');
  const scaledAway = (ordinal: number | undefined, i: number): boolean =>
    workload.options?.pvcRetention.whenScaled === 'Delete' &&
    !!scale &&
    i > scaleIdx &&
    ordinal !== undefined &&
    ordinal >= startOrdinal(workload) + scale.to;
  const window: Window = { from, until, scaledAway };
  const f: Findings = { problems: [], evidence: [], ok: [], unseen: [] };
  const names = [...new Set([...baseline.pods, ...after.pods].map((p) => p.name))].sort();
  for (const name of names) {
    const old = baseline.pods.find((p) => p.name === name);
    const cur = after.pods.find((p) => p.name === name);
    if (!old || !cur) {
      const where = old ? 'after chaos' : 'in the baseline';
      fail(f, `${name} is missing ${where}, so its claims cannot be compared`, { subject: `pod ${name}`, observed: `absent ${where}` });
      continue;
    }
    for (const tmpl of workload.claimTemplates) judgeClaim(input, entries, window, name, tmpl, old.claims[tmpl], cur.claims[tmpl], f);
  }
  const volumes = volumeBehaviour(entries, until);
  const seen: Evidence[] = volumes
    ? [{ subject: 'volumes', observed: describeVolumes(volumes) }]
    : [{ subject: 'volumes', observed: 'no bound PV was recorded, so the volume behaviour (node-pinned or shared) is unknown' }];
  const { problems, evidence, ok, unseen } = f;
  if (problems.length > 0) return failed(firstOf(problems), [...evidence, ...unseen, ...seen]);
  if (names.length === 0) return failed('no pods in the snapshots; nothing to compare', seen);
  if (unseen.length > 0)
    return errored(`binding data missing for ${unseen.map((e) => e.subject).join(', ')}: ${unseen[0]?.observed ?? ''}`, [
      ...unseen,
      ...ok,
      ...seen,
    ]);
  const kind = volumes
    ? ` (${volumes.kind === 'node-pinned' ? 'node-pinned' : volumes.kind === 'shared' ? 'shared or network' : 'node-pinned and shared'} volumes)`
    : '';
  return passed(`${ok.length} claims kept their PVC UID and PV across chaos${kind}`, [...ok, ...seen]);
}

/** One pod's claim from one template: the same PVC, Bound to the same PV, never deleted in the window. */
function judgeClaim(
  input: CheckInput,
  entries: TimelineEntry[],
  window: Window,
  name: string,
  tmpl: string,
  b: ClaimBinding | undefined,
  a: ClaimBinding | undefined,
  f: Findings,
): void {
  const { workload, baseline, after } = input;
  const ordinal = ordinalOf(workload.statefulSet, name);
  const claim = claimName(workload, tmpl, ordinal ?? '?');
  const subject = `PVC ${claim}`;
  if (!b || !a) {
    const where = b ? 'after chaos' : 'in the baseline';
    fail(f, `${name} mounts no claim from template ${tmpl} ${where}`, {
      subject,
      expected: `${name} mounts ${claim}`,
      observed: `no ${tmpl} volume ${where}`,
    });
    return;
  }
  const n = f.problems.length;
  const gaps = [...missing(b).map((k) => `baseline ${k}`), ...missing(a).map((k) => `after ${k}`)];
  if (gaps.length > 0) {
    f.unseen.push({
      subject,
      expected: 'PVC uid and phase, PV name, uid and claimRef.uid in both snapshots',
      observed: `not recorded: ${gaps.join(', ')}`,
      at: after.t,
    });
  }
  if (a.claimName !== claim) {
    fail(f, `${name} mounts ${a.claimName}, expected ${claim}`, {
      subject: `pod ${name}`,
      expected: claim,
      observed: a.claimName,
      at: after.t,
    });
  }
  compareBinding(claim, b, a, baseline.t, after.t, f);
  for (const [i, e] of entries.entries()) {
    if (i < window.from || i >= window.until || window.scaledAway(ordinal, i)) continue;
    if (e.type === 'DELETED' && e.kind === 'PersistentVolumeClaim' && e.name === claim) {
      fail(f, `${claim} was deleted at t=${e.t}ms (uid ${e.pvc?.uid ?? 'unknown'})`, {
        subject,
        expected: 'no deletion of the claim during the run',
        observed: `DELETED uid ${e.pvc?.uid ?? 'unknown'}`,
        at: e.t,
      });
    }
  }
  if (f.problems.length === n && gaps.length === 0) {
    f.ok.push({ subject, observed: `mounted by ${name}; uid ${a.pvcUid}, Bound; PV ${a.pvName} (${a.pvUid}), claimRef.uid matches` });
  }
}

/** The claim's UIDs, PV and phase, baseline against after; an empty field is never compared. */
function compareBinding(claim: string, b: ClaimBinding, a: ClaimBinding, baselineT: number, afterT: number, f: Findings): void {
  const subject = `PVC ${claim}`;
  if (a.pvcUid && b.pvcUid && a.pvcUid !== b.pvcUid) {
    fail(f, `${claim} has uid ${a.pvcUid} after chaos, was ${b.pvcUid}`, {
      subject,
      expected: `uid ${b.pvcUid}`,
      observed: `uid ${a.pvcUid}`,
      at: afterT,
    });
  }
  if ((a.pvName && b.pvName && a.pvName !== b.pvName) || (a.pvUid && b.pvUid && a.pvUid !== b.pvUid)) {
    fail(f, `${claim} is bound to ${a.pvName} (${a.pvUid}) after chaos, was ${b.pvName} (${b.pvUid})`, {
      subject,
      expected: `PV ${b.pvName} uid ${b.pvUid}`,
      observed: `PV ${a.pvName} uid ${a.pvUid}`,
      at: afterT,
    });
  }
  for (const [phase, c, at] of [
    ['baseline', b, baselineT],
    ['after chaos', a, afterT],
  ] as const) {
    if (c.pvcPhase && c.pvcPhase !== 'Bound') {
      fail(f, `${claim} is ${c.pvcPhase} (${phase}), expected Bound`, {
        subject,
        expected: 'phase Bound',
        observed: `phase ${c.pvcPhase}`,
        at,
        note: phase,
      });
    }
    if (c.pvClaimUid && c.pvcUid && c.pvClaimUid !== c.pvcUid) {
      fail(f, `PV ${c.pvName} names claim uid ${c.pvClaimUid} (${phase}), but ${claim} has uid ${c.pvcUid}`, {
        subject: `PV ${c.pvName}`,
        expected: `claimRef.uid ${c.pvcUid}`,
        observed: `claimRef.uid ${c.pvClaimUid}`,
        at,
        note: phase,
      });
    }
  }
}
