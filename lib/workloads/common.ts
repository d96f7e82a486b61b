// What every sample workload shares: labels that tie objects to a run, the headless
// Service and StatefulSet skeleton, validation before sending, and the sentinel file.
import type { Model } from '@kubernetes-models/base';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import { StatefulSet } from 'kubernetes-models/apps/v1';
import { Service } from 'kubernetes-models/v1';
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
  /**
   * For topology-state workloads: the file the primary serves, where replicas copy it,
   * the primary's identity file ("<pod uid> <pod ip>", rewritten at each start) and where
   * a replica records the identity of the primary that served its copy.
   */
  topology?: { primaryPath: string; copyPath: string; primaryIdPath: string; servedByPath: string };
}

/** A shell prologue that exits at once on SIGTERM, so graceful deletes are quick and real. */
export const TRAP_TERM = 'trap "exit 0" TERM;';

export interface StatefulShape {
  name: string;
  service: string;
  claim: string;
  port: { name: string; number: number };
  dataPath: string;
  script: string;
  readinessProbe: IProbe;
  /** Downward-API variables: env name -> field path (e.g. POD_UID -> metadata.uid). */
  fieldEnv?: Record<string, string>;
}

/** Headless Service + OrderedReady StatefulSet with one claim template, validated. */
export function statefulWorkload(o: WorkloadOptions, kind: WorkloadInfo['kind'], s: StatefulShape): Workload {
  const labels = { ...MANAGED_BY, [RUN_LABEL]: o.runId, app: s.name };
  const service = new Service({
    metadata: { name: s.service, namespace: o.namespace, labels },
    spec: { clusterIP: 'None', selector: { app: s.name }, ports: [{ name: s.port.name, port: s.port.number, protocol: 'TCP' }] },
  });
  const sts = new StatefulSet({
    metadata: { name: s.name, namespace: o.namespace, labels },
    spec: {
      serviceName: s.service,
      replicas: o.replicas,
      podManagementPolicy: 'OrderedReady',
      selector: { matchLabels: { app: s.name } },
      template: {
        metadata: { labels },
        spec: {
          terminationGracePeriodSeconds: 10,
          containers: [
            {
              name: s.name,
              image: o.image,
              imagePullPolicy: 'IfNotPresent',
              command: ['sh', '-c', `${TRAP_TERM} ${s.script}`],
              ...(s.fieldEnv
                ? { env: Object.entries(s.fieldEnv).map(([name, fieldPath]) => ({ name, valueFrom: { fieldRef: { fieldPath } } })) }
                : {}),
              ports: [{ name: s.port.name, containerPort: s.port.number }],
              readinessProbe: s.readinessProbe,
              volumeMounts: [{ name: s.claim, mountPath: s.dataPath }],
            },
          ],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: s.claim, labels },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(o.storageClass ? { storageClassName: o.storageClass } : {}),
            resources: { requests: { storage: o.claimSize } },
          },
        },
      ],
    },
  });
  return {
    info: {
      kind,
      namespace: o.namespace,
      statefulSet: s.name,
      service: s.service,
      replicas: o.replicas,
      claimTemplates: [s.claim],
      clusterDomain: 'cluster.local',
      portName: s.port.name,
      podManagementPolicy: 'OrderedReady',
    },
    objects: validated([service, sts]),
    container: s.name,
    dataPath: s.dataPath,
  };
}

function validated<T extends Model<object>>(objects: T[]): T[] {
  for (const o of objects) {
    try {
      o.validate();
    } catch (err) {
      const meta = o as { kind?: string; metadata?: { name?: string } };
      throw new Error(`invalid ${meta.kind ?? 'object'} ${meta.metadata?.name ?? ''}: ${(err as Error).message}`);
    }
  }
  return objects;
}
