import type { Workload, WorkloadOptions } from './common.ts';
import { etcdWorkload } from './etcd.ts';
import { postgresWorkload } from './postgres.ts';
import { primaryReplicaWorkload } from './primary-replica.ts';
import { webWorkload } from './web.ts';

export const WORKLOAD_KINDS = ['web', 'primary-replica', 'etcd', 'postgres'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

const BUILDERS: Record<WorkloadKind, (o: WorkloadOptions) => Workload> = {
  web: webWorkload,
  'primary-replica': primaryReplicaWorkload,
  etcd: etcdWorkload,
  postgres: postgresWorkload,
};

export function buildWorkload(kind: WorkloadKind, o: WorkloadOptions): Workload {
  return BUILDERS[kind](o);
}
