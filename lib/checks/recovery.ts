// STS-RECOVERY: what the StatefulSet controller exists for. Every killed pod does what
// its disruption expects (lib/chaos/disruption.ts) before the round ends (the run's
// --timeout bounds that wait): `replaced` and `blocked` pods get a new UID under the same
// name, Running and Ready at the round's revision; a pod `restarted-in-place` keeps its
// UID, its restart count rises and it is Ready again; a `refused` kill leaves the pod as
// it was. Every pod that was not killed keeps its UID from baseline to after-snapshot, unless an
// update step replaced it (lib/timeline/update.ts), the taint-eviction controller deleted it
// or the kubelet marked it Failed first (the node's doing; reported, not failed). The round's revision is per pod when
// round-start lists `revisions`: below an update's partition pods stay at the old one. A
// round the harness could not watch to its end (round-end says `unobserved`) is an error, not a failure.
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import type { MarkerOf, PodState, TimelineEntry } from '../timeline/entries.ts';
import { describeTaintEviction, killsIn, taintEvictionOf, type KillRecord } from '../timeline/kills.ts';
import {
  PodView, describeEntry, errored, failed, findMarker, firstOf, inOrder, isPodEntry, isReady, markersOf, minReadySecondsOf, ordinalOf,
  ordinals, passed, podGenerations, podName, skipped, type PodGeneration,
} from './support.ts';
import { describePinnedWait, pinnedWait } from '../timeline/volumes.ts';
import { replacedByUpdate, updateSteps, type UpdateStep } from '../timeline/update.ts';
import { judgeKept, readyAt } from './recovery-kept.ts';

export const recovery: CheckDefinition = {
  id: 'STS-RECOVERY',
  guarantee: 'every killed pod is replaced (or restarted in place, or left alone when the API refused the kill, as its disruption expects) and Running and Ready at the current revision within the timeout, and no pod that was not killed is replaced',
  run: judgeRecovery,
};

interface Findings {
  problems: string[];
  unjudged: string[];
  evidence: Evidence[];
  /** Pods deleted by the node (taint eviction), not by a kill: "web-0 (taint eviction on node n1)". */
  byNode: string[];
  /** Pods the kubelet ended (phase Failed), which the controller then replaced: "web-1 (Failed: Evicted)". */
  byKubelet: string[];
}

function judgeRecovery(input: CheckInput): CheckOutcome {
  const entries = inOrder(input.timeline);
  const starts = markersOf(entries, 'round-start');
  if (starts.length === 0) return skipped('no chaos round was recorded (no round-start marker)');
  const f: Findings = { problems: [], unjudged: [], evidence: [], byNode: [], byKubelet: [] };
  const generations = podGenerations(entries);
  const kills = killsIn(entries);
  const steps = updateSteps(entries);
  for (const { index, marker } of starts) judgeRound(input, entries, generations, kills, steps, index, marker, f);
  judgeUnplanned(input, entries, generations, f);
  if (f.problems.length > 0) return failed(firstOf(f.problems), f.evidence);
  if (f.unjudged.length > 0) return errored(firstOf(f.unjudged), f.evidence);
  const minReady = minReadySecondsOf(input.workload);
  const readyWord = minReady > 0 ? `Ready and Available (minReadySeconds ${minReady})` : 'Ready';
  const count = (e: string): number => kills.filter((k) => k.expect === e).length;
  const inPlace = count('restarted-in-place');
  const refused = count('refused');
  const unaffected = count('unaffected');
  const replaced = kills.length - inPlace - refused - unaffected;
  const ended = [
    ...(f.byNode.length ? [`those the node deleted: ${f.byNode.join(', ')}`] : []),
    ...(f.byKubelet.length ? [`those the kubelet marked Failed first: ${f.byKubelet.join(', ')}`] : []),
  ];
  const others = ended.length ? `no other pod was replaced but ${ended.join('; and ')}` : 'no other pod was replaced';
  if (inPlace === 0 && refused === 0 && unaffected === 0) {
    return passed(`all ${replaced} killed pods were replaced and ${readyWord} at the round's revision; ${others}`, f.evidence);
  }
  const did = [
    `${replaced} replaced and ${readyWord} at the round's revision`, `${inPlace} restarted in place and ${readyWord} again`, `${refused} refused by the API and left alone`,
    ...(unaffected > 0 ? [`${unaffected} left running untouched`] : []),
  ];
  return passed(`every kill did what its disruption expects: ${did.join(', ')}; ${others}`, f.evidence);
}

function judgeRound(
  input: CheckInput, entries: TimelineEntry[], generations: Map<string, PodGeneration[]>, kills: KillRecord[], steps: UpdateStep[],
  start: number, marker: MarkerOf<'round-start'>, f: Findings,
): void {
  const { round } = marker;
  // Per pod: below an update's partition the old revision (round-start's `revisions`).
  const revisionOf = (pod: string): string | undefined => marker.revisions?.[pod] ?? marker.revision;
  const endIdx = findMarker(entries, 'round-end', start + 1, (m) => m.round === round);
  const end = entries[endIdx];
  if (end?.type !== 'MARKER' || end.marker !== 'round-end') {
    f.unjudged.push(`round ${round} has no round-end marker: the run stopped before the round's recovery was seen`);
    f.evidence.push({ subject: `round ${round}`, expected: 'a round-end marker', observed: 'none' });
    return;
  }
  if (end.unobserved !== undefined) {
    f.unjudged.push(`round ${round}: recovery could not be observed: ${end.unobserved}`);
    f.evidence.push({ subject: `round ${round}`, expected: 'the watch to follow the recovery to its end', observed: `observation lost: ${end.unobserved}`, at: end.t });
    return;
  }
  const limit = input.limits?.recoveryTimeoutMs;
  const atRevisionOf = (pod: string): string => (revisionOf(pod) ? ` at revision ${revisionOf(pod)}` : '');
  const minReady = minReadySecondsOf(input.workload);
  const readyWord = minReady > 0 ? `Ready and Available (minReadySeconds ${minReady})` : 'Ready';
  const stuck = new Set<string>();
  for (const record of kills) {
    const { index: i, marker: kill } = record;
    if (i <= start || i >= endIdx || kill.round !== round) continue;
    const subject = `pod ${kill.pod}`;
    const revision = revisionOf(kill.pod);
    const atRevision = atRevisionOf(kill.pod);
    const gens = (generations.get(kill.pod) ?? []).filter((g) => g.uid !== kill.uid && (g.added ?? g.first).index > i && (g.added ?? g.first).index < endIdx);
    if (record.expect === 'refused' || record.expect === 'restarted-in-place' || record.expect === 'unaffected') {
      // An update step may replace the pod before its restart (or its refusal) shows: the update's doing, not judged here.
      const own = generations.get(kill.pod)?.find((g) => g.uid === kill.uid);
      const gone = own?.terminating ?? own?.deleted;
      if (own && gone && gone.index > i && gone.index < endIdx && replacedByUpdate(entries, steps, input.workload, own, gone.index)) {
        f.evidence.push({ subject, observed: `uid ${kill.uid} (${kill.action}) was replaced by the update at t=${gone.t}ms before its outcome could be judged`, at: gone.t, note: `round ${round}` });
        continue;
      }
      const kept = judgeKept(entries, record, gens[0], i, endIdx, revision, minReady);
      if (kept.problem) {
        stuck.add(kill.pod);
        f.problems.push(`round ${round}: ${kill.pod} (uid ${kill.uid}, ${kill.action}) ${kept.problem}`);
        f.evidence.push({ subject, expected: kept.expected, observed: kept.observed ?? lastState(input, entries, endIdx, kill.pod), at: kept.at ?? end.t, note: `round ${round}` });
      } else {
        f.evidence.push({ subject, observed: kept.observed, at: kept.at, note: `round ${round}` });
      }
      continue;
    }
    const replacement = gens[0];
    const ready = replacement ? readyAt(entries, kill.pod, replacement.uid, i, endIdx, revision, minReady) : undefined;
    if (!replacement || !ready) {
      stuck.add(kill.pod);
      const what = replacement ? `its replacement (uid ${replacement.uid}) was never Running and ${readyWord}${atRevision}` : 'no replacement was created';
      // A finding about node-local storage, not a harness error; it fails only an unconverged round.
      const pin = replacement && pinnedWait(entries, kill.pod, replacement.uid, endIdx);
      const why = pin && pin.runningAt === undefined ? `: ${describePinnedWait(pin)}` : '';
      if (!why || !end.converged) f.problems.push(`round ${round}: ${kill.pod} (uid ${kill.uid}) was killed at t=${kill.t}ms and ${what} before the round ended (t=${end.t}ms)${why}`);
      f.evidence.push({ subject, expected: `replaced and Running and ${readyWord}${atRevision} within the round`, observed: `${lastState(input, entries, endIdx, kill.pod)}${why}`, at: end.t, note: `round ${round}` });
      continue;
    }
    const took = Math.round((ready.t - kill.t) * 10) / 10;
    // The run's wait starts once the kills took effect, so a recovery is bounded per kill.
    if (limit !== undefined && took > limit) {
      f.problems.push(`round ${round}: ${kill.pod}'s replacement became Ready ${took}ms after the kill, over the ${limit}ms timeout`);
      f.evidence.push({ subject, expected: `Ready within ${limit}ms`, observed: `Ready after ${took}ms (uid ${replacement.uid})`, at: ready.t, note: `round ${round}` });
      continue;
    }
    const waited = pinnedWait(entries, kill.pod, replacement.uid, endIdx);
    f.evidence.push({ subject, observed: `uid ${kill.uid} killed (${kill.action}); replaced by uid ${replacement.uid}, ${readyWord}${atRevision} ${took}ms later${waited ? `; ${describePinnedWait(waited)}` : ''}`, at: ready.t, note: `round ${round}` });
  }
  if (!end.converged) {
    // The round's wait timed out: name every pod that was not Ready at the revision.
    const view = new PodView();
    for (const e of entries.slice(0, endIdx)) view.apply(e);
    const notReady: string[] = [];
    for (const k of ordinals(input.workload)) {
      const name = podName(input.workload, k);
      const s = view.state(name);
      const revision = revisionOf(name);
      const atRevision = atRevisionOf(name);
      if (isReady(s, { minReadySeconds: minReady, wall: end.wall }) && (!revision || s?.revision === revision)) continue;
      notReady.push(name);
      if (stuck.has(name)) continue;
      f.evidence.push({ subject: `pod ${name}`, expected: `Running and ${readyWord}${atRevision} by the end of round ${round}`, observed: lastState(input, entries, endIdx, name), at: end.t, note: `round ${round}` });
    }
    const which = marker.revisions
      ? notReady.map((n) => `${n}${atRevisionOf(n) ? ` (${atRevisionOf(n).trim()})` : ''}`).join(', ')
      : `${notReady.join(', ')}`;
    const at = marker.revisions ? '' : atRevisionOf('');
    f.problems.push(`round ${round} did not converge within the timeout${notReady.length ? `: ${which} not Ready${at}` : ''}`);
  }
}

/** A stuck pod's last state: phase, readiness, waiting reasons and the last Event about it. */
function lastState(input: CheckInput, entries: TimelineEntry[], endIdx: number, name: string): string {
  const view = new PodView();
  let event: string | undefined;
  const sts = `StatefulSet/${input.workload.statefulSet}`;
  for (const e of entries.slice(0, endIdx)) {
    view.apply(e);
    if (e.type === 'MARKER' || e.kind !== 'Event' || !e.event) continue;
    const ev = e.event;
    // The controller reports a failed create (FailedCreate) on the StatefulSet, naming the pod.
    if (ev.involved === `Pod/${name}` || (ev.involved === sts && ev.message.includes(name))) {
      event = `${ev.type} ${ev.reason} on ${ev.involved} at t=${e.t}ms: ${ev.message}`;
    }
  }
  return `${describeEntry(view.get(name))}; last event: ${event ?? 'none recorded'}`;
}

/** Any pod that was not killed must keep its UID from the baseline to the after-snapshot. */
function judgeUnplanned(input: CheckInput, entries: TimelineEntry[], generations: Map<string, PodGeneration[]>, f: Findings): void {
  const { workload } = input;
  const baselineIdx = findMarker(entries, 'baseline');
  const from = baselineIdx >= 0 ? baselineIdx : findMarker(entries, 'round-start');
  const afterIdx = findMarker(entries, 'after', from);
  const to = afterIdx >= 0 ? afterIdx : entries.length;
  // A generation's end (a baseline pod's or a replacement's) is planned only when a kill
  // marker for its UID came before it.
  const killedAt = new Map(markersOf(entries, 'kill').map((k) => [k.marker.uid, k.index]));
  const planned = (uid: string, at: number): boolean => (killedAt.get(uid) ?? Number.POSITIVE_INFINITY) < at;
  const reported = new Set<string>();
  // UIDs an update step replaced: the controller's (RollingUpdate) or the operator's (OnDelete).
  const steps = updateSteps(entries);
  const updated = new Set<string>();
  for (const [name, gens] of generations) {
    if (ordinalOf(workload.statefulSet, name) === undefined) continue;
    gens.forEach((g, i) => {
      const gone = g.terminating ?? g.deleted;
      if (!gone || gone.index <= from || gone.index >= to || planned(g.uid, gone.index)) return;
      if (replacedByUpdate(entries, steps, workload, g, gone.index)) {
        updated.add(g.uid);
        return;
      }
      const next = gens[i + 1];
      const evicted = taintEvictionOf(entries, g.uid);
      if (evicted) {
        const by = next ? `; replaced by uid ${next.uid}` : '';
        f.evidence.push({ subject: `pod ${name}`, observed: `uid ${g.uid} not killed by the run but ${describeTaintEviction(evicted)}${by}`, at: evicted.t, note: 'an external deletion, like a kill' });
        reported.add(name);
        f.byNode.push(`${name} (taint eviction on node ${evicted.node ?? '(unknown)'})`);
        return;
      }
      const ended = endedByKubelet(entries, name, g.uid, gone.index);
      if (ended) {
        const by = next ? `; the controller replaced it with uid ${next.uid} (ADDED at t=${(next.added ?? next.first).t}ms)` : '; no replacement seen';
        const cause = `${ended.pod.phase}${ended.pod.reason ? `: ${ended.pod.reason}` : ''}`;
        f.evidence.push({
          subject: `pod ${name}`, at: ended.t, note: 'ended by the kubelet, not replaced without cause',
          observed: `uid ${g.uid} not killed by the run: the kubelet marked it ${cause} at t=${ended.t}ms (${ended.pod.message ?? 'no message'})${by}`,
        });
        reported.add(name);
        f.byKubelet.push(`${name} (${cause})`);
        return;
      }
      const seen = [
        g.terminating ? `terminating at t=${g.terminating.t}ms` : undefined,
        g.deleted ? `DELETED at t=${g.deleted.t}ms` : undefined,
        next ? `replaced by uid ${next.uid} (ADDED at t=${(next.added ?? next.first).t}ms)` : 'no replacement seen',
      ].filter(Boolean).join(', ');
      reported.add(name);
      f.problems.push(`${name} was not killed but its pod (uid ${g.uid}) was replaced: ${seen}`);
      f.evidence.push({ subject: `pod ${name}`, expected: `uid ${g.uid} kept through the run (not killed)`, observed: `old uid ${g.uid}: ${seen}`, at: gone.t });
    });
  }
  // The snapshots are a second witness: a replacement the watch did not show is still one.
  for (const b of input.baseline.pods) {
    const a = input.after.pods.find((p) => p.name === b.name);
    if (!a || a.uid === b.uid || killedAt.has(b.uid) || reported.has(b.name) || updated.has(b.uid)) continue;
    f.problems.push(`${b.name} was not killed but its UID changed from ${b.uid} to ${a.uid} between the baseline and after snapshots`);
    f.evidence.push({ subject: `pod ${b.name}`, expected: `uid ${b.uid} kept`, observed: `after-snapshot uid ${a.uid}; the watch showed no deletion of ${b.uid}` });
  }
}

/**
 * The entry, before the generation began terminating, where the kubelet had marked it
 * Failed or Succeeded (evicted under node pressure or over its ephemeral-storage limit,
 * shut down with its node): the controller deletes such a pod and creates it again, under
 * any strategy (lib/timeline/update.ts, `failed-pod`).
 */
function endedByKubelet(entries: TimelineEntry[], name: string, uid: string, index: number): { t: number; pod: PodState } | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const e = entries[i];
    if (!e || !isPodEntry(e) || e.name !== name || e.pod.uid !== uid) continue;
    return ['Failed', 'Succeeded'].includes(e.pod.phase) && !e.pod.deletionTimestamp ? { t: e.t, pod: e.pod } : undefined;
  }
  return undefined;
}
