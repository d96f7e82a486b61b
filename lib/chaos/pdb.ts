// The run's PodDisruptionBudget (--pdb): parsed from the command line, added to the
// workload's objects (so --dry-run shows it and the run creates it in its own namespace
// with the run's labels), and recorded in WorkloadInfo for STS-PDB to judge against.
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { DisruptionName, PdbInfo } from '../model.ts';
import type { Workload } from '../workloads/common.ts';

/** What --pdb takes when `evict` is enabled and the flag is absent. */
export const DEFAULT_PDB = 'max-unavailable=1';

/** `max-unavailable=N`, `min-available=N` or `none`; throws with the accepted forms. */
export function parsePdb(text: string): Omit<PdbInfo, 'name'> | undefined {
  if (text === 'none') return undefined;
  const m = /^(max-unavailable|min-available)=(\d{1,3})$/.exec(text);
  if (!m) throw new Error(`--pdb must be max-unavailable=N, min-available=N or none, got "${text}"`);
  const n = Number(m[2]);
  return m[1] === 'max-unavailable' ? { maxUnavailable: n } : { minAvailable: n };
}

/** The budget a run uses: --pdb when given, else max-unavailable=1 when evict is enabled, else none. */
export function resolvePdb(chaos: readonly DisruptionName[], given: string | undefined): Omit<PdbInfo, 'name'> | undefined {
  return parsePdb(given ?? ((chaos as readonly string[]).includes('evict') ? DEFAULT_PDB : 'none'));
}

/** How many pods the budget lets evictions take away at once, for `replicas` pods. */
export function allowedUnavailable(pdb: PdbInfo, replicas: number): number {
  return pdb.maxUnavailable ?? Math.max(0, replicas - (pdb.minAvailable ?? replicas));
}

/** The workload with a PodDisruptionBudget over its pods appended (unchanged for none). */
export function withPdb(w: Workload, budget: Omit<PdbInfo, 'name'> | undefined): Workload {
  if (!budget) return w;
  const sts = w.objects.find((o) => o.kind === 'StatefulSet');
  const selector = sts?.kind === 'StatefulSet' ? sts.spec?.selector : undefined;
  const labels = sts?.metadata?.labels;
  const name = `${w.info.statefulSet}-budget`;
  const pdb: IPodDisruptionBudget = {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name, namespace: w.info.namespace, ...(labels ? { labels } : {}) },
    spec: {
      ...(budget.maxUnavailable !== undefined ? { maxUnavailable: budget.maxUnavailable } : { minAvailable: budget.minAvailable ?? 0 }),
      ...(selector ? { selector } : {}),
    },
  };
  return { ...w, objects: [...w.objects, pdb], info: { ...w.info, pdb: { name, ...budget } } };
}
