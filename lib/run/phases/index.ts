// A run's phases, in order. Adding a phase: one file here, one line below. Teardown is
// not in the list: it runs on every exit path (lib/run/execute.ts).
import type { Phase } from '../context.ts';
import { after } from './after.ts';
import { baseline } from './baseline.ts';
import { deploy } from './deploy.ts';
import { retention } from './retention.ts';
import { rollout } from './rollout.ts';
import { rounds } from './rounds.ts';
import { scaleDown } from './scale-down.ts';

export { teardown } from './teardown.ts';

export const PHASES: readonly Phase[] = [deploy, rollout, baseline, rounds, after, scaleDown, retention];
