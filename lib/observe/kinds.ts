// What the recorder watches in a run namespace, one entry per kind: where to list and
// watch it, which objects belong to the run, and the few facts a timeline entry keeps.
// Adding a kind: its name in WatchedKind and its digest field in WatchEntry
// (lib/timeline/entries.ts), a digest function in digest.ts, one entry in namespaceKinds()
// below, and a map plus one line in store.ts apply(). The ListWatch, the re-list, the
// gaps and the waits need nothing.
import type { CoreV1Event, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod, V1PodDisruptionBudget } from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';
import type { EntryBase, WatchEntry, WatchedKind } from '../timeline/entries.ts';
import { eventState, pdbState, podState, pvState, pvcState } from './digest.ts';

/** An API object as both typed lists and raw watch events deliver it: only the fields read before digesting. */
export interface RawObject {
  metadata?: { name?: string; uid?: string; resourceVersion?: string; namespace?: string; annotations?: Record<string, string> };
  spec?: { claimRef?: { namespace?: string } };
}

export interface Listed {
  items: object[];
  resourceVersion: string;
}

/** The facts of one object that a watch entry carries (its pod, pvc, pv or event field): every optional field of WatchEntry. */
export type Digest = Omit<WatchEntry, keyof EntryBase | 'type' | 'kind' | 'name' | 'resourceVersion' | 'relisted'>;

export interface KindSpec {
  kind: WatchedKind;
  /** The watch path (list and watch share it; the list goes through the typed client). */
  path: string;
  /** Server-side filter for both list and watch (the canary's watch sees one object). */
  fieldSelector?: string;
  list(): Promise<Listed>;
  /** Objects a cluster-scoped list returns that are not the run's are dropped here. */
  keep(obj: RawObject): boolean;
  digest(obj: RawObject): Digest;
  /** The run goes on without this kind when it cannot be listed (RBAC); a check that needs it says so. */
  optional?: boolean;
}

const rv = (l: { metadata?: { resourceVersion?: string } }): string => l.metadata?.resourceVersion ?? '';

/** The kinds every run watches in its namespace. */
export function namespaceKinds(cluster: Cluster, namespace: string): KindSpec[] {
  const core = cluster.core;
  const all = (): boolean => true;
  return [
    {
      kind: 'Pod',
      path: `/api/v1/namespaces/${namespace}/pods`,
      keep: all,
      list: async () => {
        const l = await core.listNamespacedPod({ namespace });
        return { items: l.items, resourceVersion: rv(l) };
      },
      digest: (o) => ({ pod: podState(o as V1Pod) }),
    },
    {
      kind: 'PersistentVolumeClaim',
      path: `/api/v1/namespaces/${namespace}/persistentvolumeclaims`,
      keep: all,
      list: async () => {
        const l = await core.listNamespacedPersistentVolumeClaim({ namespace });
        return { items: l.items, resourceVersion: rv(l) };
      },
      digest: (o) => ({ pvc: pvcState(o as V1PersistentVolumeClaim) }),
    },
    {
      // PVs are cluster-scoped: watch them all, keep only those claimed from our namespace.
      kind: 'PersistentVolume',
      path: '/api/v1/persistentvolumes',
      keep: (o) => o.spec?.claimRef?.namespace === namespace,
      list: async () => {
        const l = await core.listPersistentVolume();
        return { items: l.items, resourceVersion: rv(l) };
      },
      digest: (o) => ({ pv: pvState(o as V1PersistentVolume) }),
    },
    {
      // STS-PDB judges each admitted eviction against the budget's status; without the
      // permission to watch it, the check falls back to the pods alone.
      kind: 'PodDisruptionBudget',
      path: `/apis/policy/v1/namespaces/${namespace}/poddisruptionbudgets`,
      keep: all,
      optional: true,
      list: async () => {
        const l = await cluster.policy.listNamespacedPodDisruptionBudget({ namespace });
        return { items: l.items, resourceVersion: rv(l) };
      },
      digest: (o) => ({ pdb: pdbState(o as V1PodDisruptionBudget) }),
    },
    {
      kind: 'Event',
      path: `/api/v1/namespaces/${namespace}/events`,
      keep: all,
      list: async () => {
        const l = await core.listNamespacedEvent({ namespace });
        return { items: l.items, resourceVersion: rv(l) };
      },
      digest: (o) => ({ event: eventState(o as CoreV1Event) }),
    },
  ];
}

/** One ConfigMap by name (the detection-latency canary); its entries are samples, not timeline state. */
export function configMapKind(cluster: Cluster, namespace: string, name: string): KindSpec {
  const fieldSelector = `metadata.name=${name}`;
  return {
    kind: 'ConfigMap',
    path: `/api/v1/namespaces/${namespace}/configmaps`,
    fieldSelector,
    keep: () => true,
    list: async () => {
      const l = await cluster.core.listNamespacedConfigMap({ namespace, fieldSelector });
      return { items: l.items, resourceVersion: rv(l) };
    },
    digest: () => ({}),
  };
}
