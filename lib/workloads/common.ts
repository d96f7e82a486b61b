// What every sample workload shares: labels that tie objects to a run, validation
// before sending, and the sentinel location inside the claim.
import type { Model } from '@kubernetes-models/base';
import type { WorkloadInfo } from '../types.ts';

export const RUN_LABEL = 'ordinal.dev/run-id';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'ordinal' } as const;
/** Default image: a public tag; the local cluster preloads it under the same name. */
export const DEFAULT_IMAGE = 'docker.io/library/busybox:1.35.0';
export const SENTINEL_FILE = '.ordinal-sentinel';

export interface WorkloadOptions {
  namespace: string;
  runId: string;
  replicas: number;
  image: string;
  /** Omitted from the claims when undefined, so the cluster default applies. */
  storageClass?: string;
  claimSize: string;
}

export interface Workload {
  info: WorkloadInfo;
  /** Objects in creation order, already validated against the Kubernetes schema. */
  objects: Model<object>[];
  container: string;
  /** Where the claim is mounted inside the container (the sentinel lives here). */
  dataPath: string;
  /** For topology-state workloads: the file the primary serves and where replicas copy it. */
  topology?: { primaryPath: string; copyPath: string };
}

export function validated<T extends Model<object>>(objects: T[]): T[] {
  for (const o of objects) {
    try {
      o.validate();
    } catch (err) {
      const meta = (o as { kind?: string; metadata?: { name?: string } });
      throw new Error(`invalid ${meta.kind ?? 'object'} ${meta.metadata?.name ?? ''}: ${(err as Error).message}`);
    }
  }
  return objects;
}

export function labels(runId: string, app: string): Record<string, string> {
  return { ...MANAGED_BY, [RUN_LABEL]: runId, app };
}

/** A shell prologue that exits at once on SIGTERM, so graceful deletes are quick and real. */
export const TRAP_TERM = 'trap "exit 0" TERM;';
