import type { Workload, WorkloadOptions } from './common.ts';
import { etcdWorkload } from './etcd.ts';
import { primaryReplicaWorkload } from './primary-replica.ts';
import { webWorkload } from './web.ts';

export const WORKLOAD_KINDS = ['web', 'primary-replica', 'etcd'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

const BUILDERS: Record<WorkloadKind, (o: WorkloadOptions) => Workload> = {
  web: webWorkload,
  'primary-replica': primaryReplicaWorkload,
  etcd: etcdWorkload,
};

export function buildWorkload(kind: WorkloadKind, o: WorkloadOptions): Workload {
  return BUILDERS[kind](o);
}
