// The StatefulSet spec options a run can choose (--pod-management, --update-strategy,
// --partition, --max-unavailable, --min-ready-seconds, --start-ordinal, --pvc-retention):
// their values, how they shape the StatefulSet's spec, and how a report names them.
// Pure: lib/cli/args.ts parses them, lib/workloads/common.ts applies them.
import type { IStatefulSetSpec } from 'kubernetes-models/apps/v1/StatefulSetSpec';

export const POD_MANAGEMENT_POLICIES = ['OrderedReady', 'Parallel'] as const;
export type PodManagementPolicy = (typeof POD_MANAGEMENT_POLICIES)[number];
export const UPDATE_STRATEGIES = ['RollingUpdate', 'OnDelete'] as const;
export type UpdateStrategyType = (typeof UPDATE_STRATEGIES)[number];
export const RETENTION_POLICIES = ['Retain', 'Delete'] as const;
export type RetentionPolicy = (typeof RETENTION_POLICIES)[number];

/** spec.persistentVolumeClaimRetentionPolicy: what happens to the claims on delete and on scale-down. */
export interface PvcRetention {
  whenDeleted: RetentionPolicy;
  whenScaled: RetentionPolicy;
}

export interface StsOptions {
  podManagementPolicy: PodManagementPolicy;
  updateStrategy: UpdateStrategyType;
  /** RollingUpdate only: ordinals below start + partition keep the current revision on an update. */
  partition: number;
  /** RollingUpdate only, when the cluster keeps the field (feature gate MaxUnavailableStatefulSet). */
  maxUnavailable?: number;
  /** With > 0, a pod counts as ready only once it has been Ready that long (Available). */
  minReadySeconds: number;
  /** spec.ordinals.start: the first pod is <sts>-<startOrdinal>. */
  startOrdinal: number;
  pvcRetention: PvcRetention;
}

/** Just the StatefulSet options out of a larger options object (the run's, the CLI's). */
export function pickStsOptions(o: StsOptions): StsOptions {
  return {
    podManagementPolicy: o.podManagementPolicy,
    updateStrategy: o.updateStrategy,
    partition: o.partition,
    ...(o.maxUnavailable !== undefined ? { maxUnavailable: o.maxUnavailable } : {}),
    minReadySeconds: o.minReadySeconds,
    startOrdinal: o.startOrdinal,
    pvcRetention: { ...o.pvcRetention },
  };
}

/** What Kubernetes does when the spec leaves a field out. */
export const DEFAULT_STS_OPTIONS: StsOptions = Object.freeze({
  podManagementPolicy: 'OrderedReady',
  updateStrategy: 'RollingUpdate',
  partition: 0,
  minReadySeconds: 0,
  startOrdinal: 0,
  pvcRetention: Object.freeze({ whenDeleted: 'Retain', whenScaled: 'Retain' }),
});

/**
 * Parses `whenDeleted=Retain|Delete,whenScaled=Retain|Delete` (either key may be left
 * out: it stays Retain, the Kubernetes default). Throws an Error saying what is wrong.
 */
export function parsePvcRetention(text: string): PvcRetention {
  const out: PvcRetention = { ...DEFAULT_STS_OPTIONS.pvcRetention };
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const m = /^(whenDeleted|whenScaled)=(Retain|Delete)$/.exec(part.trim());
    if (!m) throw new Error(`expected whenDeleted=Retain|Delete,whenScaled=Retain|Delete, got "${text}"`);
    const key = m[1] as keyof PvcRetention;
    if (seen.has(key)) throw new Error(`${key} is given twice in "${text}"`);
    seen.add(key);
    out[key] = m[2] as RetentionPolicy;
  }
  return out;
}

export function formatPvcRetention(p: PvcRetention): string {
  return `whenDeleted=${p.whenDeleted},whenScaled=${p.whenScaled}`;
}

/** The spec fields the options set; every field is written out, defaults included, so the manifest says what was tested. */
export function stsSpecFields(
  o: StsOptions,
): Pick<
  IStatefulSetSpec,
  'podManagementPolicy' | 'updateStrategy' | 'minReadySeconds' | 'ordinals' | 'persistentVolumeClaimRetentionPolicy'
> {
  const rollingUpdate = { partition: o.partition, ...(o.maxUnavailable !== undefined ? { maxUnavailable: o.maxUnavailable } : {}) };
  return {
    podManagementPolicy: o.podManagementPolicy,
    updateStrategy: o.updateStrategy === 'OnDelete' ? { type: 'OnDelete' } : { type: 'RollingUpdate', rollingUpdate },
    minReadySeconds: o.minReadySeconds,
    ordinals: { start: o.startOrdinal },
    persistentVolumeClaimRetentionPolicy: { ...o.pvcRetention },
  };
}

/** One line for reports and the dry run, e.g. "OrderedReady, RollingUpdate (partition 0), minReadySeconds 0, ordinals from 0, claims whenDeleted=Retain,whenScaled=Retain". */
export function describeStsOptions(o: StsOptions): string {
  const update =
    o.updateStrategy === 'OnDelete'
      ? 'OnDelete'
      : `RollingUpdate (partition ${o.partition}${o.maxUnavailable !== undefined ? `, maxUnavailable ${o.maxUnavailable}` : ''})`;
  return `${o.podManagementPolicy}, ${update}, minReadySeconds ${o.minReadySeconds}, ordinals from ${o.startOrdinal}, claims ${formatPvcRetention(o.pvcRetention)}`;
}
