// STS-RECOVERY, one chaos round (lib/checks/recovery.ts has the whole guarantee): every kill
// of the round did what its disruption expects before round-end, and a round whose wait timed
// out names every pod that was not Ready at the round's revision.
import type { CheckInput } from './api.ts';
import type { Evidence } from '../model.ts';
import type { MarkerOf, TimelineEntry } from '../timeline/entries.ts';
import type { KillRecord } from '../timeline/kills.ts';
import { PodView, describeEntry, findMarker, isReady, minReadySecondsOf, ordinals, podName, type PodGeneration } from './support.ts';
import { describePinnedWait, pinnedWait } from '../timeline/volumes.ts';
import { replacedByUpdate, type UpdateStep } from '../timeline/update.ts';
import { judgeKept, readyAt } from './recovery-kept.ts';
import { clusterClock, judgingOffset } from '../timeline/cluster-clock.ts';
import { describeTaintEviction, taintEvictionOf } from '../timeline/kills.ts';

export interface Findings {
  problems: string[];
  unjudged: string[];
  evidence: Evidence[];
  /** Pods deleted by the node (taint eviction), not by a kill: "web-0 (taint eviction on node n1)". */
  byNode: string[];
  /** Pods the kubelet ended (phase Failed), which the controller then replaced: "web-1 (Failed: Evicted)". */
  byKubelet: string[];
  /**
   * Kills meant to keep their pod whose pod a taint eviction deleted, judged (and counted) as
   * replaced: kill marker index -> "etcd-1 (kubelet-restart; taint eviction on node n1)".
   */
  evictedKept: Map<number, string>;
}

type RoundEnd = MarkerOf<'round-end'>;

/** What every kill of one round is judged against. */
interface Round {
  input: CheckInput;
  entries: TimelineEntry[];
  generations: Map<string, PodGeneration[]>;
  steps: UpdateStep[];
  marker: MarkerOf<'round-start'>;
  start: number;
  endIdx: number;
  end: RoundEnd;
  minReady: number;
  readyWord: string;
  /** Pods already reported for this round, so the non-convergence list does not repeat them. */
  stuck: Set<string>;
  f: Findings;
}

// Per pod: below an update's partition the old revision (round-start's `revisions`).
const revisionOf = (r: Round, pod: string): string | undefined => r.marker.revisions?.[pod] ?? r.marker.revision;
const atRevisionOf = (r: Round, pod: string): string => (revisionOf(r, pod) ? ` at revision ${revisionOf(r, pod)}` : '');

export function judgeRound(
  input: CheckInput,
  entries: TimelineEntry[],
  generations: Map<string, PodGeneration[]>,
  kills: KillRecord[],
  steps: UpdateStep[],
  start: number,
  marker: MarkerOf<'round-start'>,
  f: Findings,
): void {
  const { round } = marker;
  const endIdx = findMarker(entries, 'round-end', start + 1, (m) => m.round === round);
  const end = entries[endIdx];
  if (end?.type !== 'MARKER' || end.marker !== 'round-end') {
    f.unjudged.push(`round ${round} has no round-end marker: the run stopped before the round's recovery was seen`);
    f.evidence.push({ subject: `round ${round}`, expected: 'a round-end marker', observed: 'none' });
    return;
  }
  if (end.unobserved !== undefined) {
    f.unjudged.push(`round ${round}: recovery could not be observed: ${end.unobserved}`);
    f.evidence.push({
      subject: `round ${round}`,
      expected: 'the watch to follow the recovery to its end',
      observed: `observation lost: ${end.unobserved}`,
      at: end.t,
    });
    return;
  }
  const minReady = minReadySecondsOf(input.workload);
  const readyWord = minReady > 0 ? `Ready and Available (minReadySeconds ${minReady})` : 'Ready';
  const r: Round = { input, entries, generations, steps, marker, start, endIdx, end, minReady, readyWord, stuck: new Set(), f };
  for (const record of kills) {
    const { index: i, marker: kill } = record;
    if (i <= start || i >= endIdx || kill.round !== round) continue;
    const gens = (generations.get(kill.pod) ?? []).filter(
      (g) => g.uid !== kill.uid && (g.added ?? g.first).index > i && (g.added ?? g.first).index < endIdx,
    );
    if (
      record.expect === 'refused' ||
      record.expect === 'restarted-in-place' ||
      record.expect === 'unaffected' ||
      record.expect === 'stays'
    )
      judgeKeptKill(r, record, gens[0]);
    else judgeReplacedKill(r, record, gens[0]);
  }
  if (!end.converged) judgeUnconverged(r);
}

/** A kill whose pod must keep its UID (refused, restarted in place, unaffected). */
function judgeKeptKill(r: Round, record: KillRecord, next: PodGeneration | undefined): void {
  const { input, entries, endIdx, end, f } = r;
  const { index: i, marker: kill } = record;
  const { round } = r.marker;
  const subject = `pod ${kill.pod}`;
  // An update step may replace the pod before its restart (or its refusal) shows: the update's doing, not judged here.
  const own = r.generations.get(kill.pod)?.find((g) => g.uid === kill.uid);
  const gone = own?.terminating ?? own?.deleted;
  if (own && gone && gone.index > i && gone.index < endIdx && replacedByUpdate(entries, r.steps, input.workload, own, gone.index)) {
    f.evidence.push({
      subject,
      observed: `uid ${kill.uid} (${kill.action}) was replaced by the update at t=${gone.t}ms before its outcome could be judged`,
      at: gone.t,
      note: `round ${round}`,
    });
    return;
  }
  // Its node stayed NotReady past the pod's toleration and the taint-eviction controller
  // deleted it: Kubernetes working as designed, not the kill's effect, so from there the pod
  // is judged like a node fault's victim (its replacement Ready within the round and timeout).
  // Also when the eviction had begun before the kill came (the kill found a pod already being
  // deleted): either way the kill is not what ended it.
  const evicted = own && gone && gone.index < endIdx ? taintEvictionOf(entries, kill.uid) : undefined;
  if (evicted) {
    f.evictedKept.set(i, `${kill.pod} (${kill.action}; taint eviction on node ${evicted.node ?? '(unknown)'})`);
    judgeReplacedKill(r, record, next, {
      what: describeTaintEviction(evicted),
      short: `deleted by taint eviction on node ${evicted.node ?? '(unknown)'} at t=${evicted.t}ms`,
      note: `the ${kill.action} was to leave it running, but its node stayed NotReady past the pod's toleration: judged as a node fault's victim`,
    });
    return;
  }
  const kept = judgeKept(entries, record, next, i, endIdx, revisionOf(r, kill.pod), r.minReady);
  if (kept.problem) {
    r.stuck.add(kill.pod);
    f.problems.push(`round ${round}: ${kill.pod} (uid ${kill.uid}, ${kill.action}) ${kept.problem}`);
    f.evidence.push({
      subject,
      expected: kept.expected,
      observed: kept.observed ?? lastState(input, entries, endIdx, kill.pod),
      at: kept.at ?? end.t,
      note: `round ${round}`,
    });
  } else {
    f.evidence.push({ subject, observed: kept.observed, at: kept.at, note: `round ${round}` });
  }
}

/** Why a kill that was to keep its pod is judged as a replacement: what ended the pod, and the evidence's note. */
interface EndedBy {
  /** For evidence: the full wording, with what showed it. */
  what: string;
  /** For the one-line message: "deleted by taint eviction on node n1 at t=…ms". */
  short: string;
  note: string;
}

/**
 * A kill whose pod must be replaced: a new UID, Running and Ready at the revision within the
 * round (and the timeout); `by`: a kept pod something else ended (a taint eviction).
 */
function judgeReplacedKill(r: Round, record: KillRecord, replacement: PodGeneration | undefined, by?: EndedBy): void {
  const { input, entries, endIdx, end, f, readyWord } = r;
  const { index: i, marker: kill } = record;
  const { round } = r.marker;
  const subject = `pod ${kill.pod}`;
  const note = by ? `round ${round}; ${by.note}` : `round ${round}`;
  const killed = by ? `(${kill.action}) was ${by.what}` : `killed (${kill.action})`;
  const atRevision = atRevisionOf(r, kill.pod);
  const ready = replacement ? readyAt(entries, kill.pod, replacement.uid, i, endIdx, revisionOf(r, kill.pod), r.minReady) : undefined;
  if (!replacement || !ready) {
    r.stuck.add(kill.pod);
    const what = replacement
      ? `its replacement (uid ${replacement.uid}) was never Running and ${readyWord}${atRevision}`
      : 'no replacement was created';
    // A finding about node-local storage, not a harness error; it fails only an unconverged round.
    const pin = replacement && pinnedWait(entries, kill.pod, replacement.uid, endIdx);
    const why = pin && pin.runningAt === undefined ? `: ${describePinnedWait(pin)}` : '';
    if (!why || !end.converged)
      f.problems.push(
        `round ${round}: ${kill.pod} (uid ${kill.uid}) was ${by ? `${by.short} during its ${kill.action} (t=${kill.t}ms)` : `killed at t=${kill.t}ms`} and ${what} before the round ended (t=${end.t}ms)${why}`,
      );
    f.evidence.push({
      subject,
      expected: `replaced and Running and ${readyWord}${atRevision} within the round`,
      observed: `${lastState(input, entries, endIdx, kill.pod)}${why}`,
      at: end.t,
      note,
    });
    return;
  }
  const took = Math.round((ready.t - kill.t) * 10) / 10;
  const limit = input.limits?.recoveryTimeoutMs;
  // The run's wait starts once the kills took effect, so a recovery is bounded per kill.
  if (limit !== undefined && took > limit) {
    f.problems.push(
      `round ${round}: ${kill.pod}'s replacement became Ready ${took}ms after the ${by ? kill.action : 'kill'}, over the ${limit}ms timeout${by ? ` (the pod was ${by.short})` : ''}`,
    );
    f.evidence.push({
      subject,
      expected: `Ready within ${limit}ms`,
      observed: `Ready after ${took}ms (uid ${replacement.uid})`,
      at: ready.t,
      note,
    });
    return;
  }
  const waited = pinnedWait(entries, kill.pod, replacement.uid, endIdx);
  f.evidence.push({
    subject,
    observed: `uid ${kill.uid} ${killed}; replaced by uid ${replacement.uid}, ${readyWord}${atRevision} ${took}ms ${by ? `after the ${kill.action}` : 'later'}${waited ? `; ${describePinnedWait(waited)}` : ''}`,
    at: ready.t,
    note,
  });
}

/** The round's wait timed out: name every pod that was not Ready at the revision. */
function judgeUnconverged(r: Round): void {
  const { input, entries, endIdx, end, f, marker } = r;
  const { round } = marker;
  const view = new PodView();
  for (const e of entries.slice(0, endIdx)) view.apply(e);
  const notReady: string[] = [];
  for (const k of ordinals(input.workload)) {
    const name = podName(input.workload, k);
    const s = view.state(name);
    const revision = revisionOf(r, name);
    if (
      isReady(s, { minReadySeconds: r.minReady, wall: end.wall, clusterOffsetMs: judgingOffset(clusterClock(entries)) }) &&
      (!revision || s?.revision === revision)
    )
      continue;
    notReady.push(name);
    if (r.stuck.has(name)) continue;
    f.evidence.push({
      subject: `pod ${name}`,
      expected: `Running and ${r.readyWord}${atRevisionOf(r, name)} by the end of round ${round}`,
      observed: lastState(input, entries, endIdx, name),
      at: end.t,
      note: `round ${round}`,
    });
  }
  const which = marker.revisions
    ? notReady.map((n) => `${n}${atRevisionOf(r, n) ? ` (${atRevisionOf(r, n).trim()})` : ''}`).join(', ')
    : `${notReady.join(', ')}`;
  const at = marker.revisions ? '' : atRevisionOf(r, '');
  f.problems.push(`round ${round} did not converge within the timeout${notReady.length ? `: ${which} not Ready${at}` : ''}`);
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
