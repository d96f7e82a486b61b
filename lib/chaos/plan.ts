// The chaos plan: which pods each round disrupts and how. It is derived from the seed
// alone (no clock, no cluster state), so a report's replay command reproduces it.
import { randomBytes } from 'node:crypto';
import type { DisruptionName, KillPattern, PlannedDisruption, RoundPlan } from '../model.ts';
import { podName } from '../names.ts';
import { createPrng, isSeed, MAX_SEED, type Prng } from '../prng.ts';
import { DEFAULT_DISRUPTIONS, DISRUPTION_NAMES, DISRUPTIONS } from './disruptions/index.ts';

export const KILL_PATTERNS: readonly KillPattern[] = ['sequential', 'burst', 'reverse'];

/** What --kill-pattern takes: one pattern for every round, or `mixed` (the seed picks per round). */
export type KillPatternOption = KillPattern | 'mixed';
export const KILL_PATTERN_OPTIONS: readonly KillPatternOption[] = [...KILL_PATTERNS, 'mixed'];

export interface PlanOptions {
  seed: number;
  statefulSet: string;
  replicas: number;
  rounds: number;
  /** Disruptions to choose from (--chaos); defaults to DEFAULT_DISRUPTIONS. */
  actions?: readonly DisruptionName[];
  /** Defaults to `mixed`. */
  pattern?: KillPatternOption;
  /**
   * spec.ordinals.start (default 0). The seeded stream picks indices 0..replicas-1 and
   * they are shifted by it only when named, so a start ordinal kills the same positions.
   */
  startOrdinal?: number;
}

// The params stream's seed: a fixed offset from the plan's, so per-kill values (e.g. a
// node-fault's duration) never consume draws from the stream that picks pods and actions.
const PARAMS_STREAM = 0x5eed_0001;

export function planRounds(opts: PlanOptions): RoundPlan[] {
  const { seed, statefulSet, replicas, rounds } = opts;
  const start = opts.startOrdinal ?? 0;
  if (!Number.isInteger(start) || start < 0) throw new Error(`startOrdinal must be an integer >= 0, got ${start}`);
  if (!isSeed(seed)) throw new Error(`seed must be an integer in 0..${MAX_SEED}, got ${seed}`);
  if (!statefulSet) throw new Error('statefulSet name must not be empty');
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new Error(`replicas must be an integer >= 1, got ${replicas}`);
  }
  if (!Number.isInteger(rounds) || rounds < 0) {
    throw new Error(`rounds must be an integer >= 0, got ${rounds}`);
  }
  const actions = validActions(opts.actions);
  const option = opts.pattern ?? 'mixed';
  if (!KILL_PATTERN_OPTIONS.includes(option)) {
    throw new Error(`unknown kill pattern "${String(option)}"; expected one of ${KILL_PATTERN_OPTIONS.join(', ')}`);
  }

  // One stream for the whole plan: a plan with more rounds extends a shorter one with the
  // same seed, so a failure seen in round 2 replays identically with --rounds 2.
  const rng = createPrng(seed);
  const paramRng = createPrng((seed ^ PARAMS_STREAM) >>> 0);
  const plans: RoundPlan[] = [];
  for (let round = 1; round <= rounds; round++) {
    // The pattern is drawn first in every round, whatever the option, so a fixed
    // --kill-pattern kills the same pods as `mixed` for the same seed.
    const drawn = KILL_PATTERNS[rng.int(KILL_PATTERNS.length)] as KillPattern;
    const pattern = option === 'mixed' ? drawn : option;
    const count = 1 + rng.int(replicas);
    const ordinals = Array.from({ length: replicas }, (_, i) => i);
    // Partial Fisher–Yates: the first `count` slots become a uniform random subset.
    for (let i = 0; i < count; i++) {
      const j = i + rng.int(replicas - i);
      const tmp = ordinals[i] as number;
      ordinals[i] = ordinals[j] as number;
      ordinals[j] = tmp;
    }
    const chosen = ordinals.slice(0, count).sort((x, y) => x - y);
    const kills: PlannedDisruption[] = chosen.map((index) => {
      const ordinal = start + index;
      const action = actions[rng.int(actions.length)] as DisruptionName;
      const params = drawParams(paramRng, action);
      return { pod: podName({ statefulSet }, ordinal), ordinal, action, ...(params ? { params } : {}) };
    });
    // Kills are listed in the order they go out; actions were drawn in ordinal order.
    if (pattern === 'reverse') kills.reverse();
    plans.push({ round, pattern, kills });
  }
  return plans;
}

function drawParams(rng: Prng, action: DisruptionName): Record<string, number> | undefined {
  const specs = DISRUPTIONS[action].params;
  if (!specs) return undefined;
  const out: Record<string, number> = {};
  for (const [name, { min, max }] of Object.entries(specs)) out[name] = min + rng.int(max - min + 1);
  return out;
}

function validActions(actions: readonly DisruptionName[] | undefined): DisruptionName[] {
  if (actions === undefined) return [...DEFAULT_DISRUPTIONS];
  if (actions.length === 0) throw new Error('actions must list at least one chaos action');
  for (const a of actions) {
    if (!DISRUPTION_NAMES.includes(a)) {
      throw new Error(`unknown chaos action "${String(a)}"; expected one of ${DISRUPTION_NAMES.join(', ')}`);
    }
  }
  // Registry order, deduplicated: ['delete', 'delete', 'force-delete'] does not skew the
  // odds, and the order --chaos lists names in does not change the plan.
  return DISRUPTION_NAMES.filter((a) => actions.includes(a));
}

/** One line per round for --dry-run and the run log: each pod, its disruption and drawn values. */
export function describeRound(r: RoundPlan): string {
  const kill = (k: PlannedDisruption): string => {
    const params = k.params
      ? ` ${Object.entries(k.params)
          .map(([n, v]) => {
            const spec = DISRUPTIONS[k.action].params?.[n];
            return `${n}=${spec?.names?.[v] ?? v}${spec?.unit ?? ''}`;
          })
          .join(' ')}`
      : '';
    return `${k.pod} (${k.action}${params})`;
  };
  return `round ${r.round} (${r.pattern}): ${r.kills.map(kill).join(', ')}`;
}

/** Parses a seed given on the command line: decimal or 0x-prefixed hex, 0..2^32-1. */
export function parseSeed(text: string): number {
  const s = text.trim();
  let value: number;
  if (/^0x[0-9a-f]+$/i.test(s)) value = Number.parseInt(s.slice(2), 16);
  else if (/^[0-9]+$/.test(s)) value = Number(s);
  else throw new Error(`seed must be a decimal or 0x-hex integer in 0..${MAX_SEED}, got "${text}"`);
  if (!isSeed(value)) throw new Error(`seed must be in 0..${MAX_SEED}, got "${text}"`);
  return value;
}

/** A fresh seed for a run that was not given one (printed in the report for replay). */
export function randomSeed(): number {
  return randomBytes(4).readUInt32BE(0);
}
