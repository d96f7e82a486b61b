// Hand-built histories for the history and linearizability tests: each operation is
// written as one call, its events (invoke + completion) laid out by time.
import type { EventType, Fn, HistoryEvent, Value } from '../../../lib/history/events.ts';

export interface Spec {
  readonly p: number;
  readonly f: Fn;
  readonly value: Value;
  readonly call: number;
  /** Completion time; omitted: never completed (an open invocation at the end). */
  readonly ret?: number;
  readonly type?: Exclude<EventType, 'invoke'>;
  readonly key?: string;
  readonly pod?: string;
}

/** Events in time order; at equal times invocations first, then by the order given. */
export function history(...specs: Spec[]): HistoryEvent[] {
  const out: { e: HistoryEvent; order: number }[] = [];
  specs.forEach((s, i) => {
    const key = s.key ?? 'x';
    const type = s.type ?? 'ok';
    out.push({ e: { process: s.p, type: 'invoke', f: s.f, key, value: s.f === 'read' ? null : s.value, time: s.call }, order: i });
    if (s.ret !== undefined) {
      const value = s.f === 'read' && type !== 'ok' ? null : s.value;
      out.push({ e: { process: s.p, type, f: s.f, key, value, time: s.ret, ...(s.pod ? { pod: s.pod } : {}) }, order: specs.length + i });
    }
  });
  out.sort((a, b) => a.e.time - b.e.time || a.order - b.order);
  return out.map((x) => x.e);
}

export const w = (p: number, value: number | string, call: number, ret?: number, type?: Spec['type'], key?: string): Spec => ({
  p,
  f: 'write',
  value,
  call,
  ...(ret === undefined ? {} : { ret }),
  ...(type ? { type } : {}),
  ...(key ? { key } : {}),
});
export const r = (p: number, value: number | string | null, call: number, ret?: number, type?: Spec['type'], key?: string): Spec => ({
  p,
  f: 'read',
  value,
  call,
  ...(ret === undefined ? {} : { ret }),
  ...(type ? { type } : {}),
  ...(key ? { key } : {}),
});
export const cas = (p: number, from: number | null, to: number, call: number, ret?: number, type?: Spec['type'], key?: string): Spec => ({
  p,
  f: 'cas',
  value: [from, to],
  call,
  ...(ret === undefined ? {} : { ret }),
  ...(type ? { type } : {}),
  ...(key ? { key } : {}),
});
