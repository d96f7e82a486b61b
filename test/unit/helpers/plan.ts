// The plan a parsed `ordinal run` would execute, for tests without a cluster: the subject
// is described by the options alone (a --target's StatefulSet is taken as 3 replicas from 0).
import { type RunArgs, replayCommand } from '../../../lib/cli/args.ts';
import { type RunPlan, type SubjectKind, planRun } from '../../../lib/run/plan.ts';
import { pickStsOptions } from '../../../lib/workloads/sts-options.ts';

export function planOf(a: RunArgs): RunPlan {
  const kind: SubjectKind = a.target !== undefined ? 'target' : a.manifest !== undefined ? 'manifest' : 'sample';
  return planRun(a, { kind, workload: { info: { statefulSet: 'web', replicas: a.replicas, options: pickStsOptions(a) } } });
}

/** The replay command of the run `a` describes. */
export function replayOf(a: RunArgs): string {
  return replayCommand(a, planOf(a));
}
