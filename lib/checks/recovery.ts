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
import { killsIn } from '../timeline/kills.ts';
import { updateSteps } from '../timeline/update.ts';
import { errored, failed, firstOf, inOrder, markersOf, minReadySecondsOf, passed, podGenerations, skipped } from './support.ts';
import { judgeRound, type Findings } from './recovery-round.ts';
import { judgeUnplanned } from './recovery-unplanned.ts';

export const recovery: CheckDefinition = {
  id: 'STS-RECOVERY',
  guarantee:
    'every killed pod is replaced (or restarted in place, or left alone when the API refused the kill, as its disruption expects) and Running and Ready at the current revision within the timeout, and no pod that was not killed is replaced',
  run: judgeRecovery,
};

function judgeRecovery(input: CheckInput): CheckOutcome {
  const entries = inOrder(input.timeline);
  const starts = markersOf(entries, 'round-start');
  if (starts.length === 0) return skipped('no chaos round was recorded (no round-start marker)');
  const f: Findings = { problems: [], unjudged: [], evidence: [], byNode: [], byKubelet: [], evictedKept: new Map() };
  const generations = podGenerations(entries);
  const kills = killsIn(entries);
  const steps = updateSteps(entries);
  for (const { index, marker } of starts) judgeRound(input, entries, generations, kills, steps, index, marker, f);
  judgeUnplanned(input, entries, generations, f);
  if (f.problems.length > 0) return failed(firstOf(f.problems), f.evidence);
  if (f.unjudged.length > 0) return errored(firstOf(f.unjudged), f.evidence);
  const minReady = minReadySecondsOf(input.workload);
  const readyWord = minReady > 0 ? `Ready and Available (minReadySeconds ${minReady})` : 'Ready';
  // A kept pod the node's taint eviction ended was judged as replaced, and is counted so.
  const count = (e: string): number => kills.filter((k) => k.expect === e && !f.evictedKept.has(k.index)).length;
  const inPlace = count('restarted-in-place');
  const refused = count('refused');
  const unaffected = count('unaffected');
  const stays = count('stays');
  const replaced = kills.length - inPlace - refused - unaffected - stays;
  const ended = [
    ...(f.byNode.length ? [`those the node deleted: ${f.byNode.join(', ')}`] : []),
    ...(f.byKubelet.length ? [`those the kubelet marked Failed first: ${f.byKubelet.join(', ')}`] : []),
  ];
  const others = ended.length ? `no other pod was replaced but ${ended.join('; and ')}` : 'no other pod was replaced';
  const evicted = [...f.evictedKept.values()];
  const overtaken = evicted.length
    ? ` (${evicted.length} of them a pod its kill was to keep, deleted by the node's taint eviction: ${evicted.join(', ')})`
    : '';
  if (inPlace === 0 && refused === 0 && unaffected === 0 && stays === 0) {
    return passed(`all ${replaced} killed pods were replaced and ${readyWord} at the round's revision${overtaken}; ${others}`, f.evidence);
  }
  const did = [
    `${replaced} replaced and ${readyWord} at the round's revision${overtaken}`,
    `${inPlace} restarted in place and ${readyWord} again`,
    `${refused} refused by the API and left alone`,
    ...(unaffected > 0 ? [`${unaffected} left running untouched`] : []),
    ...(stays > 0 ? [`${stays} stayed (same UID) and ${readyWord} after the fault`] : []),
  ];
  const lead = evicted.length
    ? "every kill did what its disruption expects, or its pod was replaced after the node's taint eviction"
    : 'every kill did what its disruption expects';
  return passed(`${lead}: ${did.join(', ')}; ${others}`, f.evidence);
}
