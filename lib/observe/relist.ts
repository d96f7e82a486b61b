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

const byName = (a: { name: string }, b: { name: string }): number => a.name.localeCompare(b.name, 'en', { numeric: true });

/**
 * `known` is name -> last seen identity; `listed` is the fresh list. A name whose UID
 * changed was deleted and recreated while the watch was down: both transitions count.
 * Deletions come first, then the rest in ordinal order (web-2 before web-10), which is
 * the order the StatefulSet controller acts in; the real interleaving is unknowable.
 */
export function diffRelist<T>(
  known: ReadonlyMap<string, Known>,
  listed: readonly { name: string; uid: string; resourceVersion: string; object: T }[],
): RelistChange<T>[] {
  const listedNames = new Set(listed.map((i) => i.name));
  const deleted: RelistChange<T>[] = [...known]
    .filter(([name]) => !listedNames.has(name))
    .map(([name, before]) => ({ type: 'DELETED' as const, name, uid: before.uid, resourceVersion: before.resourceVersion }));
  const changes: RelistChange<T>[] = [];
  for (const item of [...listed].sort(byName)) {
    const before = known.get(item.name);
    if (!before) {
      changes.push({ type: 'ADDED', ...item });
    } else if (before.uid !== item.uid) {
      deleted.push({ type: 'DELETED', name: item.name, uid: before.uid, resourceVersion: item.resourceVersion });
      changes.push({ type: 'ADDED', ...item });
    } else if (before.resourceVersion !== item.resourceVersion) {
      changes.push({ type: 'MODIFIED', ...item });
    }
  }
  return [...deleted.sort(byName), ...changes];
}
