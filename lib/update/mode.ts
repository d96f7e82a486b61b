// The update phase's plan (--update): which change, in which round. Pure and derived from
// the seed alone, like the kill plan, but from its own stream: drawing it never moves a
// draw of the kill plan, so every plan written before the update phase existed is unchanged.
import { createPrng } from '../prng.ts';

export const UPDATE_MODES = ['template', 'image', 'rollback', 'none'] as const;
export type UpdateMode = (typeof UPDATE_MODES)[number];
/** The modes that change something (the update-start marker's `mode`). */
export type ActiveUpdateMode = Exclude<UpdateMode, 'none'>;
export type UpdateStepName = 'forward' | 'rollback';

/** The second public busybox tag the local cluster imports next to DEFAULT_IMAGE (cluster/scripts/images.sh). */
export const SECOND_BUSYBOX_IMAGE = 'docker.io/library/busybox:1.36.1';

// A fixed offset from the plan's seed, distinct from plan.ts's PARAMS_STREAM (0x5eed_0001).
const UPDATE_STREAM = 0x5eed_0002;

/** The update a run's plan holds (lib/run/plan.ts). */
export interface PlannedUpdate {
  mode: UpdateMode;
  /** The round whose start applies the forward step; absent when the mode is none. */
  round?: number;
  chosenBy: 'flag' | 'seed';
  /** Why the update is none, or was changed from the seed's choice. */
  note?: string;
  /** --update-image. */
  image?: string;
}

export interface SeededUpdate {
  mode: UpdateMode;
  /** The round whose start applies the forward step (1..rounds); absent with 0 rounds. */
  round?: number;
}

/**
 * The seed's default: a mode (each of the four equally likely) and a round. Both are
 * drawn whatever --update says, so an explicit mode keeps the seed's round. The round is
 * the one with the smallest of one draw per round: uniform over the rounds, and a replay
 * with fewer rounds (as with the kill plan) keeps it whenever it falls inside them.
 */
export function seededUpdate(seed: number, rounds: number): SeededUpdate {
  const rng = createPrng((seed ^ UPDATE_STREAM) >>> 0);
  const mode = UPDATE_MODES[rng.int(UPDATE_MODES.length)] as UpdateMode;
  let round: number | undefined;
  let least = Number.POSITIVE_INFINITY;
  for (let i = 1; i <= rounds; i++) {
    const draw = rng.next();
    if (draw < least) [least, round] = [draw, i];
  }
  return round !== undefined ? { mode, round } : { mode };
}

/** The rollback step's round: the next one, so its kills land on the rollback too; the same round when it is the last. */
export function rollbackRound(round: number, rounds: number): number {
  return round < rounds ? round + 1 : round;
}

/** One line for the run header and --dry-run. */
export function describeUpdate(
  mode: UpdateMode,
  round: number | undefined,
  rounds: number,
  from: 'flag' | 'seed',
  image?: string,
  note?: string,
): string {
  const by = from === 'seed' ? 'chosen by the seed' : '--update';
  if (mode === 'none' || round === undefined) return `update: none (${note ?? by})`;
  const what =
    mode === 'image'
      ? `container image -> ${image ?? `${SECOND_BUSYBOX_IMAGE} (from the default busybox)`}`
      : mode === 'template'
        ? 'pod template annotation'
        : `pod template annotation, then the original template back (round ${rollbackRound(round, rounds)})`;
  return `update: ${mode} at the start of round ${round} (${what}; ${by})`;
}

/** Pod name -> the revision it must run once the StatefulSet has converged. */
export type Revisions = Readonly<Record<string, string>>;

/** "web-0 a1b2, web-1..web-2 c3d4": consecutive pods at one revision grouped. */
export function describeRevisions(r: Revisions): string {
  const groups: { first: string; last: string; rev: string }[] = [];
  for (const [pod, rev] of Object.entries(r)) {
    const g = groups.at(-1);
    if (g && g.rev === rev) g.last = pod;
    else groups.push({ first: pod, last: pod, rev });
  }
  return groups.map((g) => `${g.first === g.last ? g.first : `${g.first}..${g.last}`} ${g.rev}`).join(', ');
}
