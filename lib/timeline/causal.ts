// The causal ordering oracle for OrderedReady. The StatefulSet controller decides from
// its informer cache, a snapshot of the API some time before its create call: in
// pkg/controller/statefulset/stateful_set_control.go (kubernetes/kubernetes), `runForAll`
// walks `processReplica` over ordinals 0..N-1 in order and returns at the first replica
// that is terminating (`isTerminating`), not `isRunningAndReady`, or not
// `isRunningAndAvailable(minReadySeconds)`; a missing replica is created only when every
// lower one passed. So the promise is: when the controller created ordinal N, its cache
// showed 0..N-1 present, not terminating, Running and Ready. It promises nothing about
// which of several missing ordinals is created first across syncs beyond that, and a
// predecessor may regress between the snapshot and the create (the informer race).
// What the watch can refute: that there was ANY moment between the previous
// generation's deletion (or the deploy) and the ADDED at which 0..N-1 were all Ready.
// A predecessor the taint-eviction controller deleted (lib/timeline/kills.ts) still blocks
// the controller, as any missing pod does; its history says who deleted it.
import { podName, startOrdinal } from '../names.ts';
import type { Evidence, WorkloadInfo } from '../model.ts';
import { clusterClock, describeClusterClock, judgingOffset } from './cluster-clock.ts';
import { taintEvictionOf } from './kills.ts';
import { PodView, describeEntry, describeState, isPodEntry, minReadySecondsOf, type Moment, type PodGeneration } from './queries.ts';
import type { MarkerOf, TimelineEntry } from './entries.ts';

export interface CausalVerdict {
  /** The last moment in the window at which every lower ordinal was Ready. */
  allReadyAt?: Moment;
  /** Predecessors Ready at `allReadyAt` but not at the creation: the benign informer race. */
  regressed: { pod: string; t: number; state: string }[];
  /** Without an all-Ready moment: each predecessor not Ready at the creation, with its states over the window. */
  blockers: { pod: string; state: string; history: string }[];
  /** Pod watch gaps overlapping the window: moments inside them were not observed. */
  gaps: MarkerOf<'watch-gap'>[];
}

/**
 * Judges the creation of ordinal `ordinal` whose ADDED is `entries[to]`, over the window
 * that opens at `entries[from]` (its previous generation's DELETED, or the deploy
 * marker). `entries` must be in timeline order. Moments are the states after each entry
 * in [from, to).
 */
export function judgeCreation(
  entries: readonly TimelineEntry[],
  workload: WorkloadInfo,
  ordinal: number,
  window: { from: number; to: number },
): CausalVerdict {
  const start = startOrdinal(workload);
  const preds = Array.from({ length: Math.max(0, ordinal - start) }, (_, k) => podName(workload, start + k));
  const minReadySeconds = minReadySecondsOf(workload);
  // Availability is judged on the cluster's clock (the kubelet stamped readySince).
  const clock = clusterClock(entries);
  const clusterOffsetMs = judgingOffset(clock);
  const view = new PodView();
  const from = Math.max(0, Math.min(window.from, window.to - 1));
  for (let i = 0; i < from; i++) view.apply(entries[i] as TimelineEntry);
  const history = new Map<string, string[]>(preds.map((p) => [p, []]));
  const last = new Map<string, string>();
  // A predecessor's history is its state at the window's start and at each change after.
  const note = (pod: string, t: number): void => {
    const e = view.get(pod);
    const base = !e ? 'absent' : e.type === 'DELETED' ? 'deleted' : describeState(e.pod);
    const evicted = e && (e.type === 'DELETED' || e.pod.deletionTimestamp) ? taintEvictionOf(entries, e.pod.uid) : undefined;
    const state = evicted ? `${base} (taint eviction on node ${evicted.node ?? '(unknown)'})` : base;
    if (last.get(pod) === state) return;
    last.set(pod, state);
    history.get(pod)?.push(`t=${t}ms ${state}`);
  };

  let allReadyAt: Moment | undefined;
  for (let i = from; i < window.to; i++) {
    const e = entries[i] as TimelineEntry;
    view.apply(e);
    if (i === from) for (const p of preds) note(p, e.t);
    else if (isPodEntry(e) && history.has(e.name)) note(e.name, e.t);
    // The state after entry i holds until the next entry arrives; with minReadySeconds a
    // predecessor may turn Available inside that interval, so judge at its far end.
    const until = entries[i + 1] ?? e;
    const at = { minReadySeconds, wall: until.wall, clusterOffsetMs };
    if (preds.every((p) => view.isReady(p, at))) allReadyAt = { index: i, seq: e.seq, t: minReadySeconds > 0 ? until.t : e.t };
  }
  const startT = entries[from]?.t ?? 0;
  const endT = entries[window.to]?.t ?? Number.POSITIVE_INFINITY;
  const gaps = entries.filter(
    (e): e is MarkerOf<'watch-gap'> =>
      e.type === 'MARKER' && e.marker === 'watch-gap' && e.kind === 'Pod' && e.from <= endT && e.to >= startT,
  );

  const endAt = { minReadySeconds, wall: entries[window.to]?.wall ?? Number.POSITIVE_INFINITY, clusterOffsetMs };
  const notReady = preds.filter((p) => !view.isReady(p, endAt));
  if (allReadyAt) {
    const at = allReadyAt;
    const regressed = notReady.map((pod) => {
      const change = entries.slice(at.index + 1, window.to).find((e) => isPodEntry(e) && e.name === pod);
      return { pod, t: change?.t ?? at.t, state: describeEntry(view.get(pod)) };
    });
    return { allReadyAt, regressed, blockers: [], gaps };
  }
  const blockers = notReady.map((pod) => ({
    pod,
    state: `${describeEntry(view.get(pod))}${view.isReady(pod) ? `, Ready since ${view.state(pod)?.readySince}: not yet Available (minReadySeconds ${minReadySeconds}) on the cluster clock, ${describeClusterClock(clock)}` : ''}`,
    history: (history.get(pod) ?? []).slice(-6).join('; '),
  }));
  return { regressed: [], blockers, gaps };
}

/** The named note for an informer race, quoted in evidence. */
export function informerRaceNote(v: CausalVerdict): string | undefined {
  if (!v.allReadyAt || v.regressed.length === 0) return undefined;
  const which = v.regressed.map((r) => `${r.pod} regressed at t=${r.t}ms`).join(', ');
  return `informer race: predecessors were all Ready at t=${v.allReadyAt.t}ms, ${which}`;
}

/** A creation judged for a check: a problem, a reason it could not be judged, or neither. */
export interface CreationJudgement {
  problem?: string;
  unjudged?: string;
  evidence: Evidence[];
}

/**
 * Judges one pod generation's creation with `judgeCreation` and words the result as
 * evidence. `window.from` is where the window opens and `opened` says what that was
 * ("the deploy", "web-1's deletion"); `note` is added to every evidence row (the round).
 */
export function judgeGeneration(
  entries: readonly TimelineEntry[],
  workload: WorkloadInfo,
  gen: PodGeneration,
  ordinal: number,
  window: { from: number; opened: string; verb: string; note?: string },
): CreationJudgement {
  const added = gen.added ?? gen.first;
  const v = judgeCreation(entries, workload, ordinal, { from: window.from, to: added.index });
  const subject = `pod ${gen.name}`;
  const notes = [window.note, gen.added?.relisted ? 'ADDED came from a re-list; the real creation may be earlier' : undefined];
  const opened = `${window.opened} (t=${entries[window.from]?.t ?? 0}ms)`;
  const first = startOrdinal(workload);
  const preds = ordinal === first + 1 ? podName(workload, first) : `${podName(workload, first)}..${podName(workload, ordinal - 1)} all`;
  const readiness =
    minReadySecondsOf(workload) > 0 ? `Ready and Available (Ready for minReadySeconds ${minReadySecondsOf(workload)})` : 'Ready';
  if (v.allReadyAt) {
    const race = informerRaceNote(v);
    const observed =
      ordinal === first
        ? `${window.verb} at t=${added.t}ms (ordinal ${first}, the first, has no predecessors)`
        : `${window.verb} at t=${added.t}ms; ${preds} ${readiness} at t=${v.allReadyAt.t}ms`;
    const note = [...notes, race].filter(Boolean).join('; ');
    return { evidence: [{ subject, observed, at: added.t, ...(note ? { note } : {}) }] };
  }
  const expected = `a moment between ${opened} and its ADDED (t=${added.t}ms) with ${preds} present, not terminating, Running and ${readiness}`;
  const note = notes.filter(Boolean).join('; ');
  const evidence: Evidence[] = v.blockers.map((b) => ({
    subject,
    expected,
    observed: `${b.pod} never Ready with the others; over the window: ${b.history || b.state}`,
    at: added.t,
    ...(note ? { note } : {}),
  }));
  const names = v.blockers.map((b) => `${b.pod} (${b.state})`).join(', ');
  if (v.gaps.length > 0) {
    const gaps = v.gaps.map((g) => `t=${g.from}..${g.to}ms (${g.reason})`).join(', ');
    evidence.push({ subject, note: `the pod watch was down during the window: ${gaps}; an all-Ready moment may have gone unseen` });
    return { unjudged: `${gen.name} ${window.verb} at t=${added.t}ms could not be judged: the pod watch was down (${gaps})`, evidence };
  }
  return {
    problem: `${gen.name} was ${window.verb} at t=${added.t}ms although at no moment since ${opened} were its predecessors all Ready: ${names}`,
    evidence,
  };
}
