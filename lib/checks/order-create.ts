// STS-ORDER-CREATE: judged on the initial rollout. Pods share one watch stream, whose
// order follows resourceVersion, so "latest state before the ADDED" is what the
// controller could have seen when it created the pod.
import type { CheckDefinition, CheckInput, CheckOutcome, Evidence } from '../types.ts';
import {
  PodView,
  failed,
  findMarker,
  firstOf,
  inOrder,
  isPodEntry,
  ordinalOf,
  passed,
  podName,
  skipped,
} from './support.ts';

export const orderCreate: CheckDefinition = {
  id: 'STS-ORDER-CREATE',
  guarantee: 'with OrderedReady, pod N is created only after pods 0..N-1 are Running and Ready',
  run: judgeCreate,
};

function judgeCreate(input: CheckInput): CheckOutcome {
  const { workload } = input;
  if (workload.podManagementPolicy === 'Parallel') {
    return skipped('podManagementPolicy is Parallel: the controller creates pods without ordering');
  }
  const entries = inOrder(input.timeline);
  const deploy = findMarker(entries, 'deploy');
  if (deploy < 0) throw new Error('timeline has no "deploy" marker; cannot find the initial rollout');
  const complete = findMarker(entries, 'rollout-complete', deploy);
  const end = complete < 0 ? entries.length : complete;

  const view = new PodView();
  for (const e of entries.slice(0, deploy)) view.apply(e);
  const seen = new Set<string>();
  const problems: string[] = [];
  const evidence: Evidence[] = [];
  const verified: Evidence[] = [];

  for (const e of entries.slice(deploy, end)) {
    const ordinal = isPodEntry(e) ? ordinalOf(workload.statefulSet, e.name) : undefined;
    if (isPodEntry(e) && e.type === 'ADDED' && ordinal !== undefined && !seen.has(e.name)) {
      seen.add(e.name);
      const blockers: string[] = [];
      for (let k = 0; k < ordinal; k++) {
        const pred = podName(workload, k);
        if (!view.isLiveReady(pred)) blockers.push(pred);
      }
      if (blockers.length === 0) {
        verified.push({ subject: `pod ${e.name}`, observed: createdAfter(ordinal), at: e.t });
      }
      for (const pred of blockers) {
        problems.push(`${e.name} was created at t=${e.t}ms while ${pred} was ${view.describe(pred)}`);
        evidence.push({
          subject: `pod ${e.name}`,
          expected: `${pred} Running and Ready before ${e.name} is created`,
          observed: `${pred}: ${view.describe(pred)}`,
          at: e.t,
          ...(e.relisted ? { note: 'ADDED came from a re-list; the real creation may be earlier' } : {}),
        });
      }
    }
    view.apply(e);
  }

  if (complete >= 0) {
    for (let k = 0; k < workload.replicas; k++) {
      const name = podName(workload, k);
      if (seen.has(name)) continue;
      problems.push(`${name} was never seen created between deploy and rollout-complete`);
      evidence.push({ subject: `pod ${name}`, expected: 'an ADDED event during the rollout', observed: 'none' });
    }
  } else {
    evidence.push({ subject: 'rollout', note: 'no rollout-complete marker; judged up to the end of the timeline' });
  }
  if (problems.length > 0) return failed(firstOf(problems), evidence);
  if (seen.size === 0) return failed('no pod of the StatefulSet was created during the rollout', evidence);
  const names = [...seen].join(', ');
  return passed(`created in order, each after its predecessors were Ready: ${names}`, [...verified, ...evidence]);
}

function createdAfter(ordinal: number): string {
  if (ordinal === 0) return 'created first';
  const preds = ordinal === 1 ? 'ordinal 0 was' : `ordinals 0..${ordinal - 1} were`;
  return `created after ${preds} Running and Ready`;
}
