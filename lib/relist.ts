// When a watch closes or the server answers 410 Gone, the recorder lists again and
// must turn the difference between what it knew and what the list shows into the
// transitions it missed. Pure, so it is unit-tested without a cluster.

export interface Known {
  uid: string;
  resourceVersion: string;
}

export interface RelistChange<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  name: string;
  uid: string;
  resourceVersion: string;
  /** The listed object; for DELETED, undefined (the object is gone). */
  object?: T;
}

/**
 * `known` is name -> last seen identity; `listed` is the fresh list. A name whose UID
 * changed was deleted and recreated while the watch was down: both transitions count.
 */
export function diffRelist<T>(
  known: ReadonlyMap<string, Known>,
  listed: readonly { name: string; uid: string; resourceVersion: string; object: T }[],
): RelistChange<T>[] {
  const changes: RelistChange<T>[] = [];
  const seen = new Set<string>();
  for (const item of listed) {
    seen.add(item.name);
    const before = known.get(item.name);
    if (!before) {
      changes.push({ type: 'ADDED', ...item });
    } else if (before.uid !== item.uid) {
      changes.push({ type: 'DELETED', name: item.name, uid: before.uid, resourceVersion: item.resourceVersion });
      changes.push({ type: 'ADDED', ...item });
    } else if (before.resourceVersion !== item.resourceVersion) {
      changes.push({ type: 'MODIFIED', ...item });
    }
  }
  for (const [name, before] of known) {
    if (!seen.has(name)) changes.push({ type: 'DELETED', name, uid: before.uid, resourceVersion: before.resourceVersion });
  }
  return changes;
}
