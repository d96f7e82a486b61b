// `ordinal run --manifest <file.yaml>`: a user's StatefulSet, its headless Service and
// whatever else the file holds, deployed into the run's own namespace (metadata.namespace
// overridden, the run labels added) and then run as the samples are. Everything the file
// asks for is checked before the namespace exists: one StatefulSet, its governing
// Service, kinds the cluster serves, namespaced (a run writes only in its namespace), and
// that the caller may create each one (SelfSubjectAccessReview). Any problem is exit 2.
// The file itself is capped (size, a regular file, YAML aliases and what they expand to),
// so a hostile one is refused instead of hanging the run or exhausting its memory.
import * as k8s from '@kubernetes/client-node';
import { loadAll } from 'js-yaml';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { Cluster } from '../cluster/cluster.ts';
import { ClusterError, UsageError, describeError } from '../errors.ts';
import { readUserFile } from '../user-file.ts';
import { MANAGED_BY, RUN_LABEL } from './common.ts';
import { statefulSetProblem, workloadFromStatefulSet, type DerivedWorkload } from './derive.ts';

/** Far above any StatefulSet with its Service and ConfigMaps; the API server takes at most ~1.5 MiB per object. */
export const MAX_MANIFEST_BYTES = 4 * 2 ** 20;
/** Aliases (`*name`) per document: enough for shared env or resource blocks. */
export const MAX_YAML_ALIASES = 100;
/** Values per document once aliases are expanded (a real StatefulSet has hundreds): an alias bomb stops here. */
export const MAX_YAML_NODES = 100_000;

export interface ManifestObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> } & Record<string, unknown>;
  [field: string]: unknown;
}

export interface Manifest {
  file: string;
  objects: ManifestObject[];
  statefulSet: ManifestObject;
  service: ManifestObject;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses and validates a manifest's text (pure; `file` only names it in messages). */
export function parseManifest(text: string, file: string): Manifest {
  const bad = (why: string): UsageError => new UsageError(`--manifest ${file}: ${why}`);
  // One document at a time: client-node's loadAllYaml cannot take an empty document.
  const docs = text.split(/^---[^\S\n]*(?:#.*)?$/m).filter((d) => d.split('\n').some((l) => l.trim() && !l.trim().startsWith('#')));
  const objects: ManifestObject[] = [];
  for (const [i, doc] of docs.entries()) {
    let loaded: unknown[];
    try {
      // Parsed bare first: aliases are shared there, and client-node's typed copy would expand them.
      const bare = loadAll(doc, { maxAliases: MAX_YAML_ALIASES });
      if (!withinNodes(bare, MAX_YAML_NODES)) throw bad(`document ${i + 1} expands to more than ${MAX_YAML_NODES} YAML values (aliases?)`);
      loaded = k8s.loadAllYaml(doc, { maxAliases: MAX_YAML_ALIASES });
    } catch (err) {
      if (err instanceof UsageError) throw err;
      throw bad(`document ${i + 1} is not valid YAML: ${describeError(err).split('\n')[0]}`);
    }
    for (const o of loaded) {
      if (
        !isObject(o) ||
        typeof o.apiVersion !== 'string' ||
        typeof o.kind !== 'string' ||
        !isObject(o.metadata) ||
        typeof o.metadata.name !== 'string'
      ) {
        throw bad(`document ${i + 1} is not a Kubernetes object with apiVersion, kind and metadata.name`);
      }
      if (o.kind === 'Namespace' || o.kind.endsWith('List'))
        throw bad(`document ${i + 1} is a ${o.kind}: the run creates its own namespace and takes one object per document`);
      objects.push(o as ManifestObject);
    }
  }
  if (objects.length === 0) throw bad('no Kubernetes objects in the file');
  const sets = objects.filter((o) => o.kind === 'StatefulSet');
  if (sets.length === 0) throw bad(`no StatefulSet (found ${objects.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')})`);
  if (sets.length > 1) throw bad(`${sets.length} StatefulSets (${sets.map((s) => s.metadata.name).join(', ')}): a run takes exactly one`);
  const statefulSet = sets[0] as ManifestObject;
  const serviceName = (statefulSet.spec as { serviceName?: string } | undefined)?.serviceName;
  if (!serviceName) throw bad(`StatefulSet ${statefulSet.metadata.name} has no spec.serviceName`);
  const service = objects.find((o) => o.kind === 'Service' && o.metadata.name === serviceName);
  if (!service) throw bad(`no Service ${serviceName} (the StatefulSet's spec.serviceName): the file must hold its headless Service`);
  const problem = statefulSetProblem(statefulSet);
  if (problem) throw bad(problem);
  return { file, objects, statefulSet, service };
}

/**
 * Whether `root`, with every alias expanded, holds at most `max` values. Walks the
 * expanded tree but stops at `max`, so a bomb (or a cycle) costs at most `max` steps.
 */
export function withinNodes(root: unknown, max: number): boolean {
  const stack: unknown[] = [root];
  let seen = 0;
  while (stack.length > 0) {
    const v = stack.pop();
    seen += 1;
    const children = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.values(v) : [];
    // Everything on the stack is counted later: refuse as soon as the total can only exceed max.
    if (seen + stack.length + children.length > max) return false;
    for (const c of children) stack.push(c);
  }
  return true;
}

export function readManifest(file: string): Manifest {
  return parseManifest(readUserFile('--manifest', file, MAX_MANIFEST_BYTES), file);
}

/** Copies of the objects placed in the run's namespace and labelled with the run (pods and claims too). */
export function placeManifest(m: Manifest, namespace: string, runId: string): ManifestObject[] {
  const runLabels = { ...MANAGED_BY, [RUN_LABEL]: runId };
  return m.objects.map((o) => {
    const copy = structuredClone(o);
    copy.metadata = { ...copy.metadata, namespace, labels: { ...copy.metadata.labels, ...runLabels } };
    if (copy.kind === 'StatefulSet') {
      const spec = copy.spec as {
        template?: { metadata?: { labels?: Record<string, string> } };
        volumeClaimTemplates?: { metadata?: { labels?: Record<string, string> } }[];
      };
      if (spec.template)
        spec.template.metadata = { ...spec.template.metadata, labels: { ...spec.template.metadata?.labels, ...runLabels } };
      for (const t of spec.volumeClaimTemplates ?? []) t.metadata = { ...t.metadata, labels: { ...t.metadata?.labels, ...runLabels } };
    }
    return copy;
  });
}

export function manifestWorkload(
  placed: ManifestObject[],
  namespace: string,
  o: { sentinel: 'on' | 'off'; sentinelPath?: string },
): DerivedWorkload {
  const sts = placed.find((x) => x.kind === 'StatefulSet') as unknown as IStatefulSet;
  const serviceName = sts.spec?.serviceName;
  const service = placed.find((x) => x.kind === 'Service' && x.metadata.name === serviceName) as
    | { spec?: { ports?: { name?: string }[] } }
    | undefined;
  return workloadFromStatefulSet(sts, {
    kind: 'manifest',
    namespace,
    service,
    sentinel: o.sentinel,
    ...(o.sentinelPath ? { sentinelPath: o.sentinelPath } : {}),
  });
}

/** Exposes the client's discovery lookup (protected there): is a kind served, and is it namespaced. */
class ScopedObjectApi extends k8s.KubernetesObjectApi {
  lookup(apiVersion: string, kind: string): Promise<k8s.V1APIResource | undefined> {
    return this.resource(apiVersion, kind);
  }
}

/** Exit 2 before anything is created when a kind is unknown, cluster-scoped, or not creatable by the caller. */
export async function checkManifestAccess(cluster: Cluster, objects: ManifestObject[], namespace: string): Promise<void> {
  const api = cluster.kc.makeApiClient(ScopedObjectApi);
  const authz = cluster.kc.makeApiClient(k8s.AuthorizationV1Api);
  for (const o of objects) {
    const what = `${o.kind} ${o.metadata.name} (${o.apiVersion})`;
    let res: k8s.V1APIResource | undefined;
    try {
      res = await api.lookup(o.apiVersion, o.kind);
    } catch (err) {
      throw new UsageError(`--manifest: ${what}: the cluster does not serve this kind (${describeError(err).split('\n')[0]})`);
    }
    if (!res) throw new UsageError(`--manifest: ${what}: the cluster does not serve this kind`);
    if (!res.namespaced) throw new UsageError(`--manifest: ${what} is cluster-scoped; a run writes only in its own namespace`);
    const group = o.apiVersion.includes('/') ? (o.apiVersion.split('/')[0] ?? '') : '';
    const review = await authz.createSelfSubjectAccessReview({
      body: { spec: { resourceAttributes: { verb: 'create', group, resource: res.name, namespace } } },
    });
    if (review.status?.allowed !== true) {
      throw new UsageError(
        `--manifest: ${what}: your credentials may not create ${group ? `${res.name}.${group}` : res.name} in the run namespace${review.status?.reason ? ` (${review.status.reason})` : ''}; grant it (e.g. in examples/rbac.yaml) or leave it out of the file`,
      );
    }
  }
}

export async function deployManifest(cluster: Cluster, objects: ManifestObject[]): Promise<void> {
  const api = k8s.KubernetesObjectApi.makeApiClient(cluster.kc);
  for (const o of objects) {
    try {
      await api.create(o as k8s.KubernetesObject);
    } catch (err) {
      throw new ClusterError(`cannot create ${o.kind} ${o.metadata.name} in namespace ${o.metadata.namespace}: ${describeError(err)}`);
    }
  }
}
