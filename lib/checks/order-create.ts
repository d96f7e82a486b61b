// STS-ORDER-CREATE: judged on the initial rollout with the causal rule of
// lib/timeline/causal.ts: pod N's creation is a violation only if at no moment between
// the deploy and its ADDED were pods 0..N-1 all present, not terminating, Running and
// Ready. Which ordinal appears first is not judged: the controller does not promise it.
import { judgeGeneration } from '../timeline/causal.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import type { Evidence } from '../model.ts';
import { errored, failed, findMarker, firstOf, inOrder, ordinalOf, ordinals, passed, podGenerations, podName, skipped } from './support.ts';

export const orderCreate: CheckDefinition = {
  id: 'STS-ORDER-CREATE',
  guarantee: 'with OrderedReady, pod N is created only after a moment when pods 0..N-1 were all Running and Ready',
  run: judgeCreate,
};

function judgeCreate(input: CheckInput): CheckOutcome {
  const { workload } = input;
  // A --target StatefulSet was created before the run: its creation was never watched.
  if (workload.kind === 'target')
    return skipped("the --target StatefulSet's pods were created before the run, so their creation order was not observed");
  if (workload.podManagementPolicy === 'Parallel') {
    return skipped('podManagementPolicy is Parallel: the controller creates pods without ordering');
  }
  const entries = inOrder(input.timeline);
  const deploy = findMarker(entries, 'deploy');
  if (deploy < 0) return errored('the timeline has no "deploy" marker, so the initial rollout cannot be found', []);
  const complete = findMarker(entries, 'rollout-complete', deploy);
  const end = complete < 0 ? entries.length : complete;

  const problems: string[] = [];
  const unjudged: string[] = [];
  const evidence: Evidence[] = [];
  const created: string[] = [];
  const generations = podGenerations(entries);
  for (const k of ordinals(workload)) {
    const name = podName(workload, k);
    const gen = generations.get(name)?.find((g) => (g.added ?? g.first).index > deploy && (g.added ?? g.first).index < end);
    if (!gen) {
      if (complete >= 0) {
        unjudged.push(`${name} was never seen created between deploy and rollout-complete`);
        evidence.push({ subject: `pod ${name}`, expected: 'an ADDED event during the rollout', observed: 'none: the watch missed it' });
      }
      continue;
    }
    created.push(name);
    const j = judgeGeneration(entries, workload, gen, ordinalOf(workload.statefulSet, name) ?? k, {
      from: deploy,
      opened: 'the deploy',
      verb: 'created',
    });
    if (j.problem) problems.push(j.problem);
    if (j.unjudged) unjudged.push(j.unjudged);
    evidence.push(...j.evidence);
  }
  if (complete < 0) evidence.push({ subject: 'rollout', note: 'no rollout-complete marker; judged up to the end of the timeline' });
  if (problems.length > 0) return failed(firstOf(problems), evidence);
  if (unjudged.length > 0) return errored(firstOf(unjudged), evidence);
  if (created.length === 0) return errored('no pod of the StatefulSet was seen created during the rollout', evidence);
  return passed(`each pod created after a moment its predecessors were all Ready: ${created.join(', ')}`, evidence);
}
