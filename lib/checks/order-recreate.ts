// STS-ORDER-RECREATE: within each chaos round, each replacement pod (a known name with
// a new UID) is judged with the causal rule of lib/timeline/causal.ts: a violation only
// if at no moment between its previous generation's deletion and its ADDED were all
// lower ordinals present, not terminating, Running and Ready. Replacement order across
// ordinals is not judged (the controller does not promise it), and a killed pod that is
// never replaced is STS-RECOVERY's finding, not this check's. A round that opens with an
// update step (lib/update/) starts at its update-start: the controller's update
// recreations obey the same rule (processReplica creates a missing ordinal only once
// every lower one is Running and Ready), so they are judged like a kill's. A previous
// generation the taint-eviction controller deleted is judged the same way (the
// controller's creation is still its own), and the evidence says who deleted it.
import { judgeGeneration } from '../timeline/causal.ts';
import { taintEvictionOf } from '../timeline/kills.ts';
import { updateStartBefore } from '../timeline/update.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import { errored, failed, findMarker, firstOf, inOrder, markersOf, ordinalOf, passed, podGenerations, skipped } from './support.ts';

export const orderRecreate: CheckDefinition = {
  id: 'STS-ORDER-RECREATE',
  guarantee:
    "with OrderedReady, a killed pod N's replacement is created only after a moment, since the old pod's deletion, when pods 0..N-1 were all Running and Ready",
  run: judgeRecreate,
};

function judgeRecreate(input: CheckInput): CheckOutcome {
  const { workload } = input;
  if (workload.podManagementPolicy === 'Parallel') {
    return skipped('podManagementPolicy is Parallel: the controller recreates pods without ordering');
  }
  const entries = inOrder(input.timeline);
  const starts = markersOf(entries, 'round-start');
  if (starts.length === 0) return skipped('no chaos round was recorded (no round-start marker)');
  const generations = podGenerations(entries);
  const problems: string[] = [];
  const unjudged: string[] = [];
  const evidence: Evidence[] = [];
  const summary: string[] = [];
  for (const { index: roundStart, marker } of starts) {
    const round = marker.round;
    const update = updateStartBefore(entries, roundStart);
    const start = update >= 0 ? update : roundStart;
    const endIdx = findMarker(entries, 'round-end', start + 1, (m) => m.round === round);
    const end = endIdx < 0 ? entries.length : endIdx;
    if (endIdx < 0) evidence.push({ subject: `round ${round}`, note: 'no round-end marker; judged to the end of the timeline' });
    const recreated: string[] = [];
    for (const [name, gens] of generations) {
      const ordinal = ordinalOf(workload.statefulSet, name);
      if (ordinal === undefined) continue;
      gens.forEach((gen, i) => {
        const added = gen.added ?? gen.first;
        const prev = gens[i - 1];
        if (i === 0 || !prev || added.index <= start || added.index >= end) return;
        // The controller cannot create the name again before the old object is gone.
        const opened = prev.deleted ?? prev.terminating;
        const evicted = taintEvictionOf(entries, prev.uid);
        const by = evicted ? ` (by taint eviction on node ${evicted.node ?? '(unknown)'})` : '';
        const j = judgeGeneration(entries, workload, gen, ordinal, {
          from: opened?.index ?? start,
          opened: opened ? `${name}'s previous pod (uid ${prev.uid}) was deleted${by}` : `round ${round} began`,
          verb: 'recreated',
          note: `round ${round}`,
        });
        recreated.push(name);
        if (j.problem) problems.push(`round ${round}: ${j.problem}`);
        if (j.unjudged) unjudged.push(`round ${round}: ${j.unjudged}`);
        evidence.push(...j.evidence);
      });
    }
    summary.push(`round ${round}: ${recreated.join(', ') || 'none'}`);
  }
  if (problems.length > 0) return failed(firstOf(problems), evidence);
  if (unjudged.length > 0) return errored(firstOf(unjudged), evidence);
  return passed(`each replacement created after a moment its predecessors were all Ready (${summary.join('; ')})`, evidence);
}
