import type { Workload, WorkloadOptions } from './common.ts';
import { primaryReplicaWorkload } from './primary-replica.ts';
import { webWorkload } from './web.ts';

export const WORKLOAD_KINDS = ['web', 'primary-replica'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export function buildWorkload(kind: WorkloadKind, o: WorkloadOptions): Workload {
  return kind === 'web' ? webWorkload(o) : primaryReplicaWorkload(o);
}
