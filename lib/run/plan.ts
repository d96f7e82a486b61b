// The run's plan: everything the seed decides (each round's disruptions, the update and
// its round), the ordinal range the subject's pods occupy and the waits' budget. It is
// derived from the options and the subject alone, with no clock and no cluster call, so
// `ordinal run`, `run --dry-run` and the replay command all see the same plan. This is
// the only caller of the seeded planners (planRounds, seededUpdate).
import { planRounds, type KillPatternOption } from '../chaos/plan.ts';
import { fixShape } from '../chaos/partition-shape.ts';
import { podName, startOrdinal } from '../names.ts';
import type { DisruptionName, RoundPlan, WorkloadInfo } from '../model.ts';
import { type PlannedUpdate, seededUpdate } from '../update/mode.ts';
import { DEFAULT_IMAGE } from '../workloads/common.ts';
import type { RunOptions } from './options.ts';
import { type RunTimeouts, runTimeouts } from '../timeouts.ts';

/** What a run disrupts: a sample it deploys, a user's manifest it deploys, or a running StatefulSet it adopts (--target). */
export type SubjectKind = 'sample' | 'manifest' | 'target';

/** The subject's pods: <sts>-<start> .. <sts>-<start+replicas-1>. */
export interface OrdinalRange {
  statefulSet: string;
  start: number;
  replicas: number;
}

export interface RunPlan {
  seed: number;
  ordinals: OrdinalRange;
  /** --rounds: how many rounds were asked for (the rounds below are all of them). */
  roundCount: number;
  rounds: RoundPlan[];
  disruptions: DisruptionName[];
  killPattern: KillPatternOption;
  update: PlannedUpdate;
  /** Each wait's budget (rollout, each round, …) and how long DNS may take to follow a pod. */
  budget: RunTimeouts;
}

export type PlanOptions = Pick<
  RunOptions,
  | 'seed'
  | 'rounds'
  | 'chaos'
  | 'killPattern'
  | 'update'
  | 'updateImage'
  | 'image'
  | 'timeoutSeconds'
  | 'dnsBudgetSeconds'
  | 'partitionShape'
>;

/** What the plan needs of the subject: its kind and its StatefulSet's name, replicas and spec.ordinals.start. */
export interface PlanSubject {
  kind: SubjectKind;
  workload: { info: Pick<WorkloadInfo, 'statefulSet' | 'replicas' | 'options'> };
}

export function planRun(o: PlanOptions, s: PlanSubject): RunPlan {
  const { info } = s.workload;
  const ordinals: OrdinalRange = { statefulSet: info.statefulSet, start: startOrdinal(info), replicas: info.replicas };
  const rounds = planRounds({
    seed: o.seed,
    statefulSet: ordinals.statefulSet,
    replicas: ordinals.replicas,
    rounds: o.rounds,
    pattern: o.killPattern,
    actions: o.chaos,
    startOrdinal: ordinals.start,
  });
  const shape = o.partitionShape ?? 'seeded';
  return {
    seed: o.seed,
    ordinals,
    roundCount: o.rounds,
    rounds: rounds.map((r) => ({
      ...r,
      kills: r.kills.map((k) =>
        k.action === 'partition' && k.params && shape !== 'seeded' ? { ...k, params: fixShape(k.params, shape) } : k,
      ),
    })),
    disruptions: [...o.chaos],
    killPattern: o.killPattern,
    update: planUpdate(o, s.kind),
    budget: runTimeouts(o.timeoutSeconds, o.dnsBudgetSeconds),
  };
}

/** The subject's pod names, lowest ordinal first. */
export function podsOf(r: OrdinalRange): string[] {
  return Array.from({ length: r.replicas }, (_, i) => podName(r, r.start + i));
}

/**
 * --update as given, else the seed's mode; the round always comes from the seed. A
 * --target run never changes the user's StatefulSet: the seed's update is dropped with
 * the reason (an explicit one was refused by the parser, lib/cli/args.ts).
 */
function planUpdate(o: PlanOptions, kind: SubjectKind): PlannedUpdate {
  const seeded = seededUpdate(o.seed, o.rounds);
  const chosenBy = o.update === undefined ? 'seed' : 'flag';
  const mode = o.update ?? seeded.mode;
  const image = o.updateImage !== undefined ? { image: o.updateImage } : {};
  const none = (note: string): PlannedUpdate => ({ mode: 'none', chosenBy, note, ...image });
  if (mode === 'none') return none(chosenBy === 'seed' ? 'chosen by the seed' : '--update none');
  if (kind === 'target') return none(`the seed chose ${mode}, but a --target run never changes the user's StatefulSet`);
  if (seeded.round === undefined) return none(`the seed chose ${mode}, but there is no chaos round to run it in (--rounds 0)`);
  if (o.chaos.includes('partition'))
    return none(`the seed chose ${mode}, but --chaos partition does not follow pods an update recreates yet`);
  const net = o.chaos.filter((c) => c === 'loss' || c === 'bandwidth');
  if (net.length > 0) return none(`the seed chose ${mode}, but --chaos ${net.join(',')} does not follow pods an update recreates yet`);
  // A second tag of the same image is known for the default busybox only; a --manifest's image is read at run time.
  if (mode === 'image' && o.updateImage === undefined && kind !== 'manifest' && o.image !== DEFAULT_IMAGE) {
    return {
      mode: 'template',
      round: seeded.round,
      chosenBy,
      note: `the seed chose image, but no second tag is known for ${o.image} (--update-image): template instead`,
    };
  }
  return { mode, round: seeded.round, chosenBy, ...image };
}
