// What every sample workload shares: labels that tie objects to a run, the headless
// Service and StatefulSet skeleton, and the sentinel file.
//
// The objects are plain JSON typed with kubernetes-models' interfaces (type imports,
// erased at run time). Building them as kubernetes-models classes and calling
// .validate() at run time loaded the JSON-schema validators: ~70 MB and ~0.2 s on every
// start, for objects that only change when this code does. The schema check runs in
// test/unit/workloads/workloads.spec.ts instead, over every sample workload and option shape.
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { WorkloadInfo } from '../model.ts';
import { DEFAULT_STS_OPTIONS, pickStsOptions, stsSpecFields, type StsOptions } from './sts-options.ts';
import { HEARTBEAT_FILE, heartbeatScript } from './heartbeat.ts';

export const RUN_LABEL = 'ordinal.dev/run-id';
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'ordinal' } as const;
/** Default image: a public tag; the local cluster preloads it under the same name. */
export const DEFAULT_IMAGE = 'docker.io/library/busybox:1.35.0';
export const SENTINEL_FILE = '.ordinal-sentinel';
/** Pods a run takes (--replicas, or a --target/--manifest StatefulSet's spec.replicas): each one is watched and probed. */
export const REPLICA_RANGE = [1, 100] as const;
/** spec.ordinals.start a run takes (--start-ordinal, or the StatefulSet's own). */
export const START_ORDINAL_RANGE = [0, 1_000_000] as const;

export interface WorkloadOptions {
  namespace: string;
  runId: string;
  replicas: number;
  image: string;
  /** Omitted from the claims when undefined, so the cluster default applies. */
  storageClass?: string;
  claimSize: string;
  /** StatefulSet spec options (lib/workloads/sts-options.ts); the Kubernetes defaults when absent. */
  sts?: StsOptions;
  /**
   * How long pods stay bound to a node that is unreachable or not ready (tolerations with
   * tolerationSeconds), instead of the default 300 s, so a node fault ends in an eviction
   * within a round's budget.
   */
  tolerationSeconds?: number;
}

/** A manifest a workload creates, with apiVersion and kind set. */
export type WorkloadObject = IService | IStatefulSet | IPodDisruptionBudget;

export interface Workload {
  info: WorkloadInfo;
  /** Objects in creation order, as sent to the API server (schema-checked by the unit tests). */
  objects: WorkloadObject[];
  container: string;
  /** Where the claim is mounted inside the container (the sentinel lives here). */
  dataPath: string;
  /** The heartbeat file the containers append to (sample workloads only; STS-AT-MOST-ONE). */
  heartbeatPath?: string;
  /**
   * For topology-state workloads: the file the primary serves, where replicas copy it,
   * the primary's identity file ("<pod uid> <pod ip>", rewritten at each start) and where
   * a replica records the identity of the primary that served its copy.
   */
  topology?: { primaryPath: string; copyPath: string; primaryIdPath: string; servedByPath: string };
  /** For the etcd sample: the container runs etcd (with etcdctl), clients on this port of localhost; membership is probed. */
  etcd?: { clientPort: number; dataDir: string };
  /**
   * For the postgres sample: the server listens on this port in every pod; the primary's pod
   * and the stable DNS name replicas stream from; the durability setting the report shows.
   */
  postgres?: { port: number; primaryPod: string; primaryHost: string; durability: string };
  /** Why no sentinel is written (--sentinel off, no claim, read-only mount, no shell): STS-DATA-SENTINEL is skipped with it. */
  sentinelSkip?: string;
  /** Why the in-pod probes (hostname, nslookup) are not run: the image lacks them. */
  inPodSkip?: string;
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

/** Headless Service + StatefulSet (OrderedReady unless the options say otherwise) with one claim template. */
export function statefulWorkload(o: WorkloadOptions, kind: WorkloadInfo['kind'], s: StatefulShape): Workload {
  const chosen = o.sts ?? DEFAULT_STS_OPTIONS;
  const labels = { ...MANAGED_BY, [RUN_LABEL]: o.runId, app: s.name };
  const service: IService = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: s.service, namespace: o.namespace, labels },
    spec: { clusterIP: 'None', selector: { app: s.name }, ports: [{ name: s.port.name, port: s.port.number, protocol: 'TCP' }] },
  };
  const sts: IStatefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: s.name, namespace: o.namespace, labels },
    spec: {
      serviceName: s.service,
      replicas: o.replicas,
      ...stsSpecFields(chosen),
      selector: { matchLabels: { app: s.name } },
      template: podTemplate(o, s, labels),
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
  };
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
      podManagementPolicy: chosen.podManagementPolicy,
      options: pickStsOptions(chosen),
    },
    objects: [service, sts],
    container: s.name,
    dataPath: s.dataPath,
    heartbeatPath: `${s.dataPath}/${HEARTBEAT_FILE}`,
  };
}

/** The pods' template: the shape's container with the heartbeat and TERM trap, spread over the nodes. */
function podTemplate(o: WorkloadOptions, s: StatefulShape, labels: Record<string, string>): NonNullable<IStatefulSet['spec']>['template'] {
  return {
    metadata: { labels },
    spec: {
      terminationGracePeriodSeconds: 10,
      ...(o.tolerationSeconds !== undefined ? { tolerations: nodeFaultTolerations(o.tolerationSeconds) } : {}),
      // Best effort: on several nodes the pods spread out (so node faults and moves
      // between nodes are exercised); on one node, or when it cannot, they still schedule.
      topologySpreadConstraints: [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { app: s.name } },
        },
      ],
      containers: [
        {
          name: s.name,
          image: o.image,
          imagePullPolicy: 'IfNotPresent',
          command: ['sh', '-c', `${TRAP_TERM} ${heartbeatScript(s.dataPath)} ${s.script}`],
          env: Object.entries({ POD_UID: 'metadata.uid', ...s.fieldEnv }).map(([name, fieldPath]) => ({
            name,
            valueFrom: { fieldRef: { fieldPath } },
          })),
          ports: [{ name: s.port.name, containerPort: s.port.number }],
          readinessProbe: s.readinessProbe,
          volumeMounts: [{ name: s.claim, mountPath: s.dataPath }],
        },
      ],
    },
  };
}

/** Tolerate an unreachable or not-ready node for `seconds` (the default is 300). */
function nodeFaultTolerations(seconds: number): { key: string; operator: 'Exists'; effect: 'NoExecute'; tolerationSeconds: number }[] {
  return ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'].map((key) => ({
    key,
    operator: 'Exists',
    effect: 'NoExecute',
    tolerationSeconds: seconds,
  }));
}
