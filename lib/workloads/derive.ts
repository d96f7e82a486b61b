// A Workload read off a StatefulSet object instead of built from a sample: for
// `--target` (a StatefulSet already running) and `--manifest` (a user's file). Every
// fact comes from the object: service (spec.serviceName), claim templates, pod
// management policy, ordinals start, replicas, the container and the claim mount the
// sentinel goes into; the port name from the governing Service. Pure: unit-tested on
// StatefulSets of several shapes (test/unit/workloads/byo.spec.ts).
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IContainer } from 'kubernetes-models/v1/Container';
import path from 'node:path';
import { UsageError } from '../errors.ts';
import type { WorkloadInfo } from '../model.ts';
import { REPLICA_RANGE, START_ORDINAL_RANGE, type Workload } from './common.ts';
import type { StsOptions } from './sts-options.ts';

export interface DeriveOptions {
  kind: 'target' | 'manifest';
  /** Where the pods live: the target's namespace, or the run's own for --manifest. */
  namespace: string;
  /** The governing Service (spec.serviceName), for the SRV port name; undefined when it does not exist. */
  service: { spec?: { ports?: { name?: string }[]; publishNotReadyAddresses?: boolean } } | undefined;
  /** `off`, a claim template name, or a directory inside a claim's mount (--sentinel-path); default the first claim's mount. */
  sentinel: 'on' | 'off';
  sentinelPath?: string;
}

export interface DerivedWorkload extends Workload {
  /** spec.ordinals.start: the first pod is <sts>-<start>. */
  ordinalsStart: number;
}

/** The container that mounts `claim`, with the mount; the first container when none does. */
function mountOf(
  containers: IContainer[],
  claim: string | undefined,
): { container: IContainer; path?: string; readOnly?: boolean } | undefined {
  for (const c of containers) {
    const m = c.volumeMounts?.find((v) => v.name === claim);
    if (m) return { container: c, path: m.mountPath, ...(m.readOnly ? { readOnly: true } : {}) };
  }
  const first = containers[0];
  return first ? { container: first } : undefined;
}

/** A path as the kernel resolves it (`..` and `.` applied), without a trailing slash. */
const clean = (p: string): string => path.posix.normalize(p).replace(/(.)\/$/, '$1');
const isInside = (dir: string, mount: string): boolean => dir === mount || dir.startsWith(mount.endsWith('/') ? mount : `${mount}/`);

/** Picks the sentinel's directory and container, or why there is none (STS-DATA-SENTINEL is then skipped with it). */
function sentinelPlace(
  containers: IContainer[],
  claims: string[],
  o: DeriveOptions,
): { container: string; dataPath: string; skip?: string } {
  const fallback = containers[0]?.name ?? '';
  if (o.sentinel === 'off')
    return { container: fallback, dataPath: '', skip: 'the sentinel is off (--sentinel off): nothing is written into the volumes' };
  if (claims.length === 0) return { container: fallback, dataPath: '', skip: 'the StatefulSet has no volume claim templates' };
  const want = o.sentinelPath;
  let claim = claims[0];
  if (want !== undefined && !want.startsWith('/')) {
    if (!claims.includes(want))
      throw new UsageError(`--sentinel-path ${want}: no volume claim template of that name; the StatefulSet has ${claims.join(', ')}`);
    claim = want;
  } else if (want !== undefined) {
    // A directory: it must lie inside one claim's mount, so the sentinel tests that volume;
    // normalised first, so `/data/../etc` is judged as the /etc it names.
    const dir = clean(want);
    const hit = containers
      .flatMap((c) => (c.volumeMounts ?? []).filter((m) => claims.includes(m.name)).map((m) => ({ c, m })))
      .filter(({ m }) => isInside(dir, clean(m.mountPath)))
      .sort((a, b) => b.m.mountPath.length - a.m.mountPath.length)[0];
    const named = dir === want.replace(/(.)\/$/, '$1') ? want : `${want} (that is ${dir})`;
    if (!hit) throw new UsageError(`--sentinel-path ${named}: not inside the mount of any volume claim template (${claims.join(', ')})`);
    const dataPath = dir;
    if (hit.m.readOnly)
      return {
        container: hit.c.name,
        dataPath,
        skip: `the claim ${hit.m.name} is mounted read-only at ${hit.m.mountPath} in container ${hit.c.name}`,
      };
    return { container: hit.c.name, dataPath };
  }
  const m = mountOf(containers, claim);
  if (!m?.path) return { container: m?.container.name ?? fallback, dataPath: '', skip: `no container mounts the claim ${claim}` };
  if (m.readOnly)
    return {
      container: m.container.name,
      dataPath: m.path,
      skip: `the claim ${claim} is mounted read-only at ${m.path} in container ${m.container.name}`,
    };
  return { container: m.container.name, dataPath: m.path };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const inRange = (v: unknown, [min, max]: readonly [number, number]): boolean =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/**
 * Why a StatefulSet object (a user's file or a --target read from the cluster) cannot be
 * run against, or undefined. Only what the run itself reads is checked, so a shape that
 * would crash it (no template, a mount without a path) or overwhelm it (a billion
 * replicas) is refused in one line before anything is created.
 */
export function statefulSetProblem(sts: unknown): string | undefined {
  const name = isRecord(sts) && isRecord(sts.metadata) && typeof sts.metadata.name === 'string' ? sts.metadata.name : '';
  if (!name) return 'the StatefulSet has no metadata.name';
  const spec = isRecord(sts) ? sts.spec : undefined;
  const it = `StatefulSet ${name}`;
  if (!isRecord(spec)) return `${it} has no spec`;
  if (typeof spec.serviceName !== 'string' || !spec.serviceName)
    return `${it} has no spec.serviceName: its pods have no stable DNS names to check`;
  if (spec.replicas === 0) return `${it} is scaled to 0 replicas: a run needs ${REPLICA_RANGE[0]} to ${REPLICA_RANGE[1]} pods to disrupt`;
  if (spec.replicas !== undefined && !inRange(spec.replicas, REPLICA_RANGE)) {
    return `${it} has spec.replicas ${JSON.stringify(spec.replicas)}: a run takes an integer from ${REPLICA_RANGE[0]} to ${REPLICA_RANGE[1]}`;
  }
  const start = isRecord(spec.ordinals) ? spec.ordinals.start : undefined;
  if (start !== undefined && !inRange(start, START_ORDINAL_RANGE)) {
    return `${it} has spec.ordinals.start ${JSON.stringify(start)}: a run takes an integer from ${START_ORDINAL_RANGE[0]} to ${START_ORDINAL_RANGE[1]}`;
  }
  const podSpec = isRecord(spec.template) ? spec.template.spec : undefined;
  if (!isRecord(podSpec)) return `${it} has no spec.template.spec`;
  const containers = podSpec.containers;
  if (!Array.isArray(containers) || containers.length === 0) return `${it} has no containers`;
  for (const c of containers) {
    if (!isRecord(c) || typeof c.name !== 'string') return `${it} has a container without a name`;
    const mounts = c.volumeMounts ?? [];
    if (!Array.isArray(mounts) || !mounts.every((m) => isRecord(m) && typeof m.name === 'string' && typeof m.mountPath === 'string')) {
      return `${it}: container ${c.name} has a volume mount without a name or mountPath`;
    }
  }
  const claims = spec.volumeClaimTemplates ?? [];
  if (!Array.isArray(claims) || !claims.every(isRecord)) return `${it} has spec.volumeClaimTemplates that is not a list of claims`;
  return undefined;
}

export function workloadFromStatefulSet(sts: IStatefulSet, o: DeriveOptions): DerivedWorkload {
  const problem = statefulSetProblem(sts);
  if (problem) throw new UsageError(`${o.kind === 'target' ? `--target ${o.namespace}/${sts.metadata?.name}` : '--manifest'}: ${problem}`);
  const name = sts.metadata?.name ?? '';
  const spec = sts.spec as NonNullable<IStatefulSet['spec']> & { serviceName: string };
  const containers = spec.template.spec?.containers ?? [];
  const claimTemplates = (spec.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? '').filter(Boolean);
  const place = sentinelPlace(containers, claimTemplates, o);
  // The SRV record exists for a named port; the first named one is what a client would ask.
  const portName = o.service?.spec?.ports?.find((p) => p.name)?.name ?? '';
  const info: WorkloadInfo = {
    kind: o.kind,
    namespace: o.namespace,
    statefulSet: name,
    service: spec.serviceName,
    replicas: spec.replicas ?? 1,
    claimTemplates,
    // Read from a pod's resolv.conf once the pods run (lib/run/subject/user-image.ts adaptProbes): never assumed.
    clusterDomain: '',
    portName,
    ...(o.service?.spec?.publishNotReadyAddresses ? { publishNotReadyAddresses: true } : {}),
    podManagementPolicy: spec.podManagementPolicy === 'Parallel' ? 'Parallel' : 'OrderedReady',
    // The checks read start ordinal, minReadySeconds and retention from here, as for a sample.
    options: stsOptionsOf(spec),
  };
  return {
    info,
    objects: [],
    container: place.container,
    dataPath: place.dataPath,
    ...(place.skip ? { sentinelSkip: place.skip } : {}),
    ordinalsStart: spec.ordinals?.start ?? 0,
  };
}

/** The object's own StatefulSet options, with the Kubernetes defaults for what it leaves out. */
function stsOptionsOf(spec: NonNullable<IStatefulSet['spec']>): StsOptions {
  const rolling = spec.updateStrategy?.rollingUpdate;
  // partition and maxUnavailable may be percentages ("50%") in the API for maxUnavailable only.
  const maxUnavailable = typeof rolling?.maxUnavailable === 'number' ? rolling.maxUnavailable : undefined;
  const retention = spec.persistentVolumeClaimRetentionPolicy;
  return {
    podManagementPolicy: spec.podManagementPolicy === 'Parallel' ? 'Parallel' : 'OrderedReady',
    updateStrategy: spec.updateStrategy?.type === 'OnDelete' ? 'OnDelete' : 'RollingUpdate',
    partition: rolling?.partition ?? 0,
    ...(maxUnavailable !== undefined ? { maxUnavailable } : {}),
    minReadySeconds: spec.minReadySeconds ?? 0,
    startOrdinal: spec.ordinals?.start ?? 0,
    pvcRetention: {
      whenDeleted: retention?.whenDeleted === 'Delete' ? 'Delete' : 'Retain',
      whenScaled: retention?.whenScaled === 'Delete' ? 'Delete' : 'Retain',
    },
  };
}
