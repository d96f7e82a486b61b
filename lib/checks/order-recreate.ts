// STS-ORDER-RECREATE: within each chaos round, replacement pods (a known name with a
// UID it did not have before the round) must appear lowest ordinal first, and each only
// while every lower ordinal is present, Running, Ready and not terminating.
import type { CheckDefinition, CheckInput, CheckOutcome, Evidence, TimelineEntry } from '../types.ts';
import {
  PodView,
  failed,
  findMarker,
  firstOf,
  inOrder,
  isPodEntry,
  markerAt,
  ordinalOf,
  passed,
  podName,
  skipped,
} from './support.ts';

export const orderRecreate: CheckDefinition = {
  id: 'STS-ORDER-RECREATE',
  guarantee: 'after pods are killed, they are recreated lowest ordinal first, each after its predecessor is Ready',
  run: judgeRecreate,
};

interface RoundVerdict {
  problems: string[];
  evidence: Evidence[];
  recreated: { name: string; t: number; inOrder: boolean }[];
}

function judgeRecreate(input: CheckInput): CheckOutcome {
  if (input.workload.podManagementPolicy === 'Parallel') {
    return skipped('podManagementPolicy is Parallel: the controller recreates pods without ordering');
  }
  const entries = inOrder(input.timeline);
  const problems: string[] = [];
  const evidence: Evidence[] = [];
  const summary: string[] = [];
  let rounds = 0;
  for (let i = findMarker(entries, 'round-start'); i >= 0; i = findMarker(entries, 'round-start', i + 1)) {
    const round = markerAt(entries, i)?.round;
    if (round === undefined) throw new Error(`round-start marker at seq ${entries[i]?.seq} has no round number`);
    rounds++;
    const endIdx = findMarker(entries, 'round-end', i + 1, round);
    const verdict = judgeRound(input, entries, i, endIdx < 0 ? entries.length : endIdx, round);
    if (endIdx < 0) evidence.push({ subject: `round ${round}`, note: 'no round-end marker; judged to the end of the timeline' });
    problems.push(...verdict.problems);
    evidence.push(...verdict.evidence);
    const names = verdict.recreated.map((r) => r.name).join(', ');
    summary.push(`round ${round}: ${names || 'none'}`);
  }
  if (rounds === 0) return skipped('no chaos round was recorded (no round-start marker)');
  if (problems.length > 0) return failed(firstOf(problems), evidence);
  return passed(`recreated in ordinal order, each after its predecessors were Ready (${summary.join('; ')})`, evidence);
}

function judgeRound(
  input: CheckInput,
  entries: TimelineEntry[],
  start: number,
  end: number,
  round: number,
): RoundVerdict {
  const { workload } = input;
  const view = new PodView();
  for (const e of entries.slice(0, start)) view.apply(e);
  const uidBefore = new Map<string, string>();
  for (let k = 0; k < workload.replicas; k++) {
    const uid = view.get(podName(workload, k))?.pod.uid;
    if (uid !== undefined) uidBefore.set(podName(workload, k), uid);
  }

  const verdict: RoundVerdict = { problems: [], evidence: [], recreated: [] };
  const killed = new Set<string>();
  let highest: { name: string; ordinal: number; t: number } | undefined;
  for (const e of entries.slice(start, end)) {
    if (e.type === 'MARKER' && e.marker === 'kill' && e.pod) killed.add(e.pod);
    const ordinal = isPodEntry(e) ? ordinalOf(workload.statefulSet, e.name) : undefined;
    if (isPodEntry(e) && e.type === 'ADDED' && ordinal !== undefined && e.pod.uid !== uidBefore.get(e.name)) {
      const at = `t=${e.t}ms`;
      const before = verdict.problems.length;
      if (highest && highest.ordinal > ordinal) {
        verdict.problems.push(`round ${round}: ${e.name} was recreated at ${at}, after ${highest.name} (t=${highest.t}ms)`);
        verdict.evidence.push({
          subject: `pod ${e.name}`,
          expected: `recreated before ${highest.name} (lowest ordinal first)`,
          observed: `${highest.name} recreated at t=${highest.t}ms, ${e.name} at ${at}`,
          at: e.t,
          note: `round ${round}`,
        });
      }
      for (let k = 0; k < ordinal; k++) {
        const pred = podName(workload, k);
        if (view.isLiveReady(pred)) continue;
        verdict.problems.push(`round ${round}: ${e.name} was recreated at ${at} while ${pred} was ${view.describe(pred)}`);
        verdict.evidence.push({
          subject: `pod ${e.name}`,
          expected: `${pred} present, Running and Ready before ${e.name} is recreated`,
          observed: `${pred}: ${view.describe(pred)}`,
          at: e.t,
          note: `round ${round}${e.relisted ? '; ADDED came from a re-list' : ''}`,
        });
      }
      if (!highest || ordinal > highest.ordinal) highest = { name: e.name, ordinal, t: e.t };
      uidBefore.set(e.name, e.pod.uid);
      verdict.recreated.push({ name: e.name, t: e.t, inOrder: verdict.problems.length === before });
    }
    view.apply(e);
  }
  // A killed pod that never came back has not shown the guarantee; the round timed out.
  for (const name of killed) {
    if (verdict.recreated.some((r) => r.name === name)) continue;
    verdict.problems.push(`round ${round}: ${name} was killed but not recreated before the round ended`);
    verdict.evidence.push({
      subject: `pod ${name}`,
      expected: 'a new pod with the same name',
      observed: `none; last seen ${view.describe(name)}`,
      note: `round ${round}`,
    });
  }
  for (const r of verdict.recreated.filter((x) => x.inOrder)) {
    verdict.evidence.push({ subject: `pod ${r.name}`, observed: 'recreated in order', at: r.t, note: `round ${round}` });
  }
  return verdict;
}
