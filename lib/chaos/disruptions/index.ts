// The registry of disruptions, in the order the planner draws from (a fixed order, so a
// seed means the same plan whatever order --chaos lists them in). Adding a disruption:
// one file next to this one, its name in DisruptionName (lib/model.ts), one line here.
import type { Disruption, DisruptionName } from '../disruption.ts';
import { containerKill } from './container-kill.ts';
import { del } from './delete.ts';
import { diskFull } from './disk-full.ts';
import { evict } from './evict.ts';
import { forceDelete } from './force-delete.ts';
import { kubeletRestart } from './kubelet-restart.ts';
import { nodeFault } from './node-fault.ts';
import { partition } from './partition.ts';
import { bandwidth } from './bandwidth.ts';
import { delay } from './delay.ts';
import { loss } from './loss.ts';

export const DISRUPTIONS: Readonly<Record<DisruptionName, Disruption>> = {
  delete: del,
  'force-delete': forceDelete,
  'container-kill': containerKill,
  evict,
  'node-fault': nodeFault,
  'kubelet-restart': kubeletRestart,
  partition,
  'disk-full': diskFull,
  loss,
  bandwidth,
  delay,
};

export const DISRUPTION_NAMES = Object.keys(DISRUPTIONS) as DisruptionName[];

/** What runs use unless --chaos says otherwise: the two API deletions. */
export const DEFAULT_DISRUPTIONS: readonly DisruptionName[] = ['delete', 'force-delete'];

export function disruption(name: DisruptionName): Disruption {
  return DISRUPTIONS[name];
}

/** Parses --chaos: comma-separated names, known to the registry, at least one. */
export function parseDisruptions(text: string): DisruptionName[] {
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (names.length === 0) throw new Error(`--chaos must name at least one disruption: ${DISRUPTION_NAMES.join(', ')}`);
  const unknown = names.filter((n) => !(DISRUPTION_NAMES as string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`unknown disruption ${unknown.map((n) => `"${n}"`).join(', ')}; valid: ${DISRUPTION_NAMES.join(', ')}`);
  return DISRUPTION_NAMES.filter((n) => names.includes(n));
}
