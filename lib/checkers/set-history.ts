// A set history (--traffic set) as the set checker's input: every `add` with its outcome,
// and each member's final read. The conventions: an add's key names the set (its store),
// its value is the element, the invocation's pod is the one addressed and the
// completion's the one that answered; a read's pod is the member read, and the last read
// of each (set, member) is its final read. `fail`s are kept here (a refused add that is
// present afterwards is a note), unlike pair(), which drops them.
import type { HistoryEvent } from '../history/events.ts';
import { HistoryFormatError } from '../history/jsonl.ts';
import { pair } from '../history/pair.ts';
import type { AddOutcome, MemberRead, SetAdd } from './set.ts';

export interface SetHistory {
  readonly adds: SetAdd[];
  readonly reads: MemberRead[];
}

/**
 * `runMs` maps history ns to run ms, for the adds' times in evidence (absent: no times).
 * Throws HistoryFormatError naming the line when the events do not pair or are not a set history.
 */
export function setFromHistory(events: readonly HistoryEvent[], runMs?: (ns: number) => number): SetHistory {
  // pair() validates the pairing rules (one operation per process, retired processes) and names the line.
  pair(events);
  const open = new Map<number, { e: HistoryEvent; line: number }>();
  const adds: SetAdd[] = [];
  const finals = new Map<string, MemberRead>();
  const done = (inv: HistoryEvent, outcome: AddOutcome, answered: string | undefined, line: number): void => {
    if (inv.f === 'add') {
      const addressed = inv.pod ?? answered ?? '?';
      adds.push({
        element: String(inv.value),
        store: inv.key,
        outcome,
        addressed,
        ...(answered ? { answered } : {}),
        ...(runMs ? { at: runMs(inv.time) } : {}),
      });
      return;
    }
    if (inv.f !== 'read') throw new HistoryFormatError(`history line ${line}: a set history has add and read, got ${inv.f}`);
  };
  events.forEach((e, i) => {
    const line = i + 1;
    if (e.type === 'invoke') {
      open.set(e.process, { e, line });
      return;
    }
    const inv = open.get(e.process);
    if (!inv) return;
    open.delete(e.process);
    done(inv.e, e.type, e.pod, line);
    if (inv.e.f !== 'read') return;
    const member = e.pod ?? inv.e.pod ?? '?';
    const id = `${inv.e.key}\u0000${member}`;
    if (e.type === 'ok' && !Array.isArray(e.value))
      throw new HistoryFormatError(`history line ${line}: a set read returns the set's elements as an array`);
    finals.set(
      id,
      e.type === 'ok'
        ? { store: inv.e.key, member, elements: (e.value as readonly (string | number)[]).map(String) }
        : { store: inv.e.key, member, error: `the final read of ${member} ended ${e.type}` },
    );
  });
  for (const { e, line } of open.values()) {
    done(e, 'info', undefined, line);
    const member = e.pod ?? '?';
    if (e.f === 'read')
      finals.set(`${e.key}\u0000${member}`, { store: e.key, member, error: `the final read of ${member} never completed` });
  }
  return { adds, reads: [...finals.values()] };
}
