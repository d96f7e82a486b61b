// verify-writes reads keys back by exec into pods, and the pod names come from the acked
// file (`ACK <store> <key>`), which anyone can write. So it execs only into pods the named
// StatefulSet owns: named <sts>-<ordinal> and carrying an owner reference to that very
// StatefulSet object (its UID), never into a look-alike pod or another workload's.
import type { V1Pod } from '@kubernetes/client-node';
import type { Cluster } from '../cluster/cluster.ts';

/** True when `pod` is `<sts>-<n>` and the StatefulSet with UID `stsUid` controls it. */
export function ownedBy(pod: V1Pod, sts: string, stsUid: string): boolean {
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(`${sts}-`) || !/^\d+$/.test(name.slice(sts.length + 1))) return false;
  return (pod.metadata?.ownerReferences ?? []).some(
    (o) => o.controller === true && o.kind === 'StatefulSet' && o.name === sts && o.uid === stsUid,
  );
}

/** The names of the pods StatefulSet `ns/sts` owns right now, sorted. */
export async function podsOfStatefulSet(cluster: Cluster, ns: string, sts: string): Promise<string[]> {
  const set = await cluster.apps.readNamespacedStatefulSet({ name: sts, namespace: ns });
  const uid = set.metadata?.uid ?? '';
  const pods = await cluster.core.listNamespacedPod({ namespace: ns });
  return pods.items
    .filter((p) => ownedBy(p, sts, uid))
    .map((p) => p.metadata?.name ?? '')
    .sort();
}
