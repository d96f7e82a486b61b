// Lost-write accounting: the client's writes and the read-back of every member, handed to
// the set checker (lib/checkers/set.ts), and its verdict folded back into one class per
// key for the figures. Acknowledged and present is ok; acknowledged and missing is lost
// (the failure STS-WRITES-DURABLE reports); present but never acknowledged is
// indeterminate (the write landed, the answer did not); neither is a failed write.
import { checkSet, type MemberRead, type SetAdd, type SetVerdict } from '../checkers/set.ts';
import type { ClassifiedKey, KeyClass, ReadBack, WriteCounts, WriteRecord } from './records.ts';

export interface Classification {
  keys: ClassifiedKey[];
  counts: WriteCounts;
  /** Members whose keys could not be read: the writes they leave unjudged are not classified. */
  unread: ReadBack[];
  /** Keys found in a store that no recorded write sent (to any store). */
  unexpected: { store: string; key: string }[];
  /** The set checker's verdict, with the writes as its adds (SetAdd.element is the key). */
  set: SetVerdict;
}

/** The store a write must be found in: the answering pod's, when its answer named one. */
function addOf(w: WriteRecord, storeOf?: (pod: string) => string): SetAdd {
  const answered = w.answeredBy;
  const store = answered !== undefined && answered !== w.pod && storeOf ? storeOf(answered) : w.store;
  return {
    element: w.key,
    store,
    outcome: w.outcome === 'acked' ? 'ok' : w.outcome === 'failed' ? 'fail' : 'info',
    addressed: w.pod,
    ...(answered !== undefined ? { answered } : {}),
    ...(w.answeredUid !== undefined ? { answeredUid: w.answeredUid } : {}),
    ...(w.address !== undefined ? { address: w.address } : {}),
    at: w.sentMs,
  };
}

const readOf = (r: ReadBack): MemberRead => ({
  store: r.store,
  member: r.pod,
  ...(r.keys !== undefined ? { elements: r.keys } : {}),
  ...(r.error !== undefined ? { error: r.error } : {}),
});

/**
 * Classifies every write against the read-back. `storeOf` maps a pod to its store, so that
 * a write another pod acknowledged is looked for where that pod keeps it.
 */
export function classifyWrites(
  writes: readonly WriteRecord[],
  readBack: readonly ReadBack[],
  storeOf?: (pod: string) => string,
): Classification {
  const set = checkSet(
    writes.map((w) => addOf(w, storeOf)),
    readBack.map(readOf),
  );
  const classOf = new Map<string, KeyClass>();
  const mark = (adds: readonly SetAdd[], cls: KeyClass): void => {
    for (const a of adds) classOf.set(a.element, cls);
  };
  mark(set.ok, 'ok');
  mark(set.lost, 'lost');
  mark(set.recovered, 'indeterminate');
  mark(set.failedPresent, 'indeterminate');
  mark(set.notApplied, 'failed-write');
  mark(set.failed, 'failed-write');
  const keys: ClassifiedKey[] = [];
  for (const w of writes) {
    const cls = classOf.get(w.key);
    if (cls !== undefined) keys.push({ pod: w.pod, store: addOf(w, storeOf).store, key: w.key, class: cls, sentMs: w.sentMs });
  }
  const unexpected = [...new Map(set.unexpected.map((u) => [`${u.store}\n${u.element}`, { store: u.store, key: u.element }])).values()];
  const unreadMembers = new Set(set.unread.map((m) => `${m.store}\n${m.member}`));
  const count = (c: KeyClass): number => keys.filter((k) => k.class === c).length;
  return {
    keys,
    unread: readBack.filter((r) => unreadMembers.has(`${r.store}\n${r.pod}`)),
    unexpected,
    set,
    counts: {
      sent: writes.length,
      acked: writes.filter((w) => w.outcome === 'acked').length,
      ok: count('ok'),
      lost: count('lost'),
      indeterminate: count('indeterminate'),
      failedWrites: count('failed-write'),
      unexpected: unexpected.length,
      unknown: writes.filter((w) => w.outcome === 'unknown').length,
      recovered: set.recovered.length,
      misrouted: set.misrouted.length,
      staleMembers: set.stale.length,
    },
  };
}
