// Lost-write accounting: each key sent during chaos, judged against what its store held
// afterwards. Acknowledged and present is ok; acknowledged and missing is lost (the
// failure STS-WRITES-DURABLE reports); present but never acknowledged is indeterminate
// (the write landed, the answer did not); neither is a failed write.
import type { ClassifiedKey, ReadBack, WriteCounts, WriteRecord } from './records.ts';

export interface Classification {
  keys: ClassifiedKey[];
  counts: WriteCounts;
  /** Stores whose keys could not be read: their writes are not classified. */
  unread: ReadBack[];
  /** Keys found in a store that no recorded write sent there. */
  unexpected: { store: string; key: string }[];
}

export function classifyWrites(writes: readonly WriteRecord[], readBack: readonly ReadBack[]): Classification {
  const stores = new Map<string, Set<string>>();
  const unread: ReadBack[] = [];
  for (const r of readBack) {
    if (r.keys === undefined || r.error !== undefined) {
      unread.push(r);
      continue;
    }
    const set = stores.get(r.store) ?? new Set<string>();
    for (const k of r.keys) set.add(k);
    stores.set(r.store, set);
  }
  const keys: ClassifiedKey[] = [];
  const sent = new Set<string>();
  for (const w of writes) {
    sent.add(`${w.store}\n${w.key}`);
    const held = stores.get(w.store);
    if (held === undefined) continue;
    const present = held.has(w.key);
    const cls = w.outcome === 'acked' ? (present ? 'ok' : 'lost') : present ? 'indeterminate' : 'failed-write';
    keys.push({ pod: w.pod, store: w.store, key: w.key, class: cls, sentMs: w.sentMs });
  }
  const unexpected: { store: string; key: string }[] = [];
  for (const [store, held] of stores) for (const key of held) if (!sent.has(`${store}\n${key}`)) unexpected.push({ store, key });
  const count = (c: ClassifiedKey['class']): number => keys.filter((k) => k.class === c).length;
  return {
    keys,
    unread,
    unexpected,
    counts: {
      sent: writes.length,
      acked: writes.filter((w) => w.outcome === 'acked').length,
      ok: count('ok'),
      lost: count('lost'),
      indeterminate: count('indeterminate'),
      failedWrites: count('failed-write'),
      unexpected: unexpected.length,
    },
  };
}
