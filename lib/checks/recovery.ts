// STS-RECOVERY: what the StatefulSet controller exists for. Every killed pod is replaced
// (a new UID under the same name) and is Running and Ready at the round's revision
// before the round ends (the run's --timeout bounds that wait); every pod that was not
// killed keeps its UID from the baseline to the after-snapshot. A round the harness
// could not watch to its end (round-end says `unobserved`) is an error, not a failure.
import type { CheckDefinition, CheckInput, CheckOutcome, Evidence, TimelineEntry } from '../types.ts';
import type { MarkerOf } from '../timeline/types.ts';
import {
  PodView, describeEntry, errored, failed, findMarker, firstOf, inOrder, isReady, markersOf, minReadySecondsOf, ordinalOf,
  ordinals, passed, podGenerations, podName, readyMoment, skipped, type PodGeneration,
} from './support.ts';

export const recovery: CheckDefinition = {
  id: 'STS-RECOVERY',
  guarantee: 'every killed pod is replaced and Running and Ready at the current revision within the timeout, and no pod that was not killed is replaced',
  run: judgeRecovery,
};

interface Findings {
  problems: string[];
  unjudged: string[];
  evidence: Evidence[];
}

function judgeRecovery(input: CheckInput): CheckOutcome {
  const entries = inOrder(input.timeline);
  const starts = markersOf(entries, 'round-start');
  if (starts.length === 0) return skipped('no chaos round was recorded (no round-start marker)');
  const f: Findings = { problems: [], unjudged: [], evidence: [] };
  const generations = podGenerations(entries);
  for (const { index, marker } of starts) judgeRound(input, entries, generations, index, marker, f);
  judgeUnplanned(input, entries, generations, f);
  if (f.problems.length > 0) return failed(firstOf(f.problems), f.evidence);
  if (f.unjudged.length > 0) return errored(firstOf(f.unjudged), f.evidence);
  const kills = markersOf(entries, 'kill').length;
  const minReady = minReadySecondsOf(input.workload);
  const ready = minReady > 0 ? `Ready and Available (minReadySeconds ${minReady})` : 'Ready';
  return passed(`all ${kills} killed pods were replaced and ${ready} at the round's revision; no other pod was replaced`, f.evidence);
}

function judgeRound(
  input: CheckInput, entries: TimelineEntry[], generations: Map<string, PodGeneration[]>,
  start: number, marker: MarkerOf<'round-start'>, f: Findings,
): void {
  const { round, revision } = marker;
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
  const atRevision = revision ? ` at revision ${revision}` : '';
  const minReady = minReadySecondsOf(input.workload);
  const readyWord = minReady > 0 ? `Ready and Available (minReadySeconds ${minReady})` : 'Ready';
  const stuck = new Set<string>();
  for (let i = start + 1; i < endIdx; i++) {
    const kill = entries[i];
    if (kill?.type !== 'MARKER' || kill.marker !== 'kill' || kill.round !== round) continue;
    const replacement = (generations.get(kill.pod) ?? []).find((g) => g.uid !== kill.uid && (g.added ?? g.first).index > i && (g.added ?? g.first).index < endIdx);
    const ready = replacement
      ? readyMoment(entries, kill.pod, replacement.uid, { from: i, to: endIdx }, minReady, (p) => !revision || p.revision === revision)
      : undefined;
    const subject = `pod ${kill.pod}`;
    if (!replacement || !ready) {
      stuck.add(kill.pod);
      const what = replacement ? `its replacement (uid ${replacement.uid}) was never Running and ${readyWord}${atRevision}` : 'no replacement was created';
      f.problems.push(`round ${round}: ${kill.pod} (uid ${kill.uid}) was killed at t=${kill.t}ms and ${what} before the round ended (t=${end.t}ms)`);
      f.evidence.push({ subject, expected: `replaced and Running and ${readyWord}${atRevision} within the round`, observed: lastState(input, entries, endIdx, kill.pod), at: end.t, note: `round ${round}` });
      continue;
    }
    const took = Math.round((ready.t - kill.t) * 10) / 10;
    // The run's wait starts once the kills took effect, so a recovery is bounded per kill.
    if (limit !== undefined && took > limit) {
      f.problems.push(`round ${round}: ${kill.pod}'s replacement became Ready ${took}ms after the kill, over the ${limit}ms timeout`);
      f.evidence.push({ subject, expected: `Ready within ${limit}ms`, observed: `Ready after ${took}ms (uid ${replacement.uid})`, at: ready.t, note: `round ${round}` });
      continue;
    }
    f.evidence.push({ subject, observed: `uid ${kill.uid} killed (${kill.action}); replaced by uid ${replacement.uid}, ${readyWord}${atRevision} ${took}ms later`, at: ready.t, note: `round ${round}` });
  }
  if (!end.converged) {
    // The round's wait timed out: name every pod that was not Ready at the revision.
    const view = new PodView();
    for (const e of entries.slice(0, endIdx)) view.apply(e);
    const notReady: string[] = [];
    for (const k of ordinals(input.workload)) {
      const name = podName(input.workload, k);
      const s = view.state(name);
      if (isReady(s, { minReadySeconds: minReady, wall: end.wall }) && (!revision || s?.revision === revision)) continue;
      notReady.push(name);
      if (stuck.has(name)) continue;
      f.evidence.push({ subject: `pod ${name}`, expected: `Running and ${readyWord}${atRevision} by the end of round ${round}`, observed: lastState(input, entries, endIdx, name), at: end.t, note: `round ${round}` });
    }
    f.problems.push(`round ${round} did not converge within the timeout${notReady.length ? `: ${notReady.join(', ')} not Ready${atRevision}` : ''}`);
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
  for (const [name, gens] of generations) {
    if (ordinalOf(workload.statefulSet, name) === undefined) continue;
    gens.forEach((g, i) => {
      const gone = g.terminating ?? g.deleted;
      if (!gone || gone.index <= from || gone.index >= to || planned(g.uid, gone.index)) return;
      const next = gens[i + 1];
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
    if (!a || a.uid === b.uid || killedAt.has(b.uid) || reported.has(b.name)) continue;
    f.problems.push(`${b.name} was not killed but its UID changed from ${b.uid} to ${a.uid} between the baseline and after snapshots`);
    f.evidence.push({ subject: `pod ${b.name}`, expected: `uid ${b.uid} kept`, observed: `after-snapshot uid ${a.uid}; the watch showed no deletion of ${b.uid}` });
  }
}
