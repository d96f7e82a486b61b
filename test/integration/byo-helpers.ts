// Shared by the --target specs (integration and fault): a StatefulSet created outside
// Ordinal in a namespace of its own (test/fixtures/byo/target-store.yaml), and an
// inventory of that namespace to prove what a run did not touch.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { Cluster } from '../../lib/cluster/cluster.ts';
import { describeError, httpStatus } from '../../lib/errors.ts';
import { ROOT } from './helpers.ts';

export const TARGET_FIXTURE = path.join(ROOT, 'test', 'fixtures', 'byo', 'target-store.yaml');
export const TARGET_STS = 'store';

/**
 * Creates `namespace` (no Ordinal label) with the fixture in it, optionally opted in and
 * with spec.ordinals.start, and waits until both pods are Ready.
 */
export async function createTargetNamespace(cluster: Cluster, namespace: string, optIn: boolean, startOrdinal = 0): Promise<void> {
  await cluster.core.createNamespace({ body: { metadata: { name: namespace, labels: { 'test.ordinal.dev/byo': 'target' } } } });
  const api = k8s.KubernetesObjectApi.makeApiClient(cluster.kc);
  for (const o of k8s.loadAllYaml(readFileSync(TARGET_FIXTURE, 'utf8')) as k8s.KubernetesObject[]) {
    o.metadata = { ...o.metadata, namespace };
    if (optIn && o.kind === 'StatefulSet') o.metadata.labels = { ...o.metadata.labels, 'ordinal.dev/chaos': 'allowed' };
    if (startOrdinal > 0 && o.kind === 'StatefulSet')
      (o as k8s.V1StatefulSet).spec = { ...(o as k8s.V1StatefulSet).spec, ordinals: { start: startOrdinal } } as k8s.V1StatefulSetSpec;
    await api.create(o);
  }
  const deadline = Date.now() + 120_000;
  let seen = '';
  while (Date.now() < deadline) {
    const pods = await cluster.core.listNamespacedPod({ namespace });
    const ready = pods.items.filter((p) => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    seen = pods.items.map((p) => `${p.metadata?.name} ${p.status?.phase}`).join(', ') || '(no pods)';
    if (ready.length === 2) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the target StatefulSet in ${namespace} was not Ready within 120s; pods: ${seen}`);
}

export async function deleteTargetNamespace(cluster: Cluster, namespace: string): Promise<void> {
  try {
    await cluster.core.deleteNamespace({ name: namespace });
  } catch (err) {
    if (httpStatus(err) !== 404) throw new Error(`cannot delete test namespace ${namespace}: ${describeError(err)}`);
  }
}

export interface Inventory {
  statefulSet: { uid: string; generation: number; replicas: number; labels: Record<string, string> };
  /** name -> uid */
  pods: Record<string, string>;
  /** kind/name -> uid, for every other object kind a run could write */
  objects: Record<string, string>;
  /** kind/name -> resourceVersion: any write at all shows here */
  versions: Record<string, string>;
}

export async function inventory(cluster: Cluster, namespace: string): Promise<Inventory> {
  const sts = await cluster.apps.readNamespacedStatefulSet({ name: TARGET_STS, namespace });
  const [pods, pvcs, svcs, cms, sets, secrets] = await Promise.all([
    cluster.core.listNamespacedPod({ namespace }),
    cluster.core.listNamespacedPersistentVolumeClaim({ namespace }),
    cluster.core.listNamespacedService({ namespace }),
    cluster.core.listNamespacedConfigMap({ namespace }),
    cluster.apps.listNamespacedStatefulSet({ namespace }),
    cluster.core.listNamespacedSecret({ namespace }),
  ]);
  const objects: Record<string, string> = {};
  const versions: Record<string, string> = {};
  for (const [kind, items] of [
    ['Pod', pods.items],
    ['PersistentVolumeClaim', pvcs.items],
    ['Service', svcs.items],
    ['ConfigMap', cms.items],
    ['StatefulSet', sets.items],
    ['Secret', secrets.items],
  ] as const) {
    for (const o of items as { metadata?: k8s.V1ObjectMeta }[]) {
      const key = `${kind}/${o.metadata?.name}`;
      versions[key] = o.metadata?.resourceVersion ?? '';
      if (kind !== 'Pod') objects[key] = o.metadata?.uid ?? '';
    }
  }
  return {
    statefulSet: {
      uid: sts.metadata?.uid ?? '',
      generation: sts.metadata?.generation ?? 0,
      replicas: sts.spec?.replicas ?? 0,
      labels: sts.metadata?.labels ?? {},
    },
    pods: Object.fromEntries(pods.items.map((p) => [p.metadata?.name ?? '', p.metadata?.uid ?? ''])),
    objects,
    versions,
  };
}
