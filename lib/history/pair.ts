// Pairs each invocation with its completion, as Jepsen does: a process runs one operation
// at a time; `fail` means it did not take effect (left out); `info`, or no completion by
// the end of the history, means it may have taken effect at any time after its call
// (ret = Infinity), and the process is retired: a client continues under a fresh id.
import { HistoryFormatError } from './jsonl.ts';
import type { HistoryEvent, Operation, Value } from './events.ts';

/**
 * The process id that replaces `process` after an `info`, Jepsen's rule: with
 * `concurrency` logical clients numbered 0..concurrency-1, client i runs processes
 * i, i + concurrency, i + 2·concurrency…, so ids never repeat and name their client.
 */
export function retire(process: number, concurrency: number): number {
  if (!Number.isSafeInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  return process + concurrency;
}

interface Pending {
  readonly event: HistoryEvent;
  readonly line: number;
  readonly index: number;
}

function sameValue(a: Value, b: Value): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Builds one operation, or throws naming the completion line when it does not match its invocation. */
function complete(p: Pending, done: HistoryEvent, line: number): Operation | undefined {
  const bad = (why: string): never => {
    throw new HistoryFormatError(`history line ${line}: ${why} (invoked at line ${p.line})`);
  };
  const inv = p.event;
  if (done.f !== inv.f) bad(`process ${done.process} completes ${done.f} but invoked ${inv.f}`);
  if (done.key !== inv.key) bad(`process ${done.process} completes key "${done.key}" but invoked key "${inv.key}"`);
  if (done.time < inv.time) bad(`completion time ${done.time} is before the invocation time ${inv.time}`);
  if (done.type === 'fail') return undefined;
  if (done.type === 'ok' && inv.f !== 'read' && !sameValue(done.value, inv.value)) {
    bad(`${inv.f} completes with value ${JSON.stringify(done.value)} but was invoked with ${JSON.stringify(inv.value)}`);
  }
  const info = done.type === 'info';
  const pod = done.pod ?? inv.pod;
  return {
    id: p.index,
    process: inv.process,
    type: info ? 'info' : 'ok',
    f: inv.f,
    key: inv.key,
    value: inv.f === 'read' && !info ? done.value : inv.value,
    call: inv.time,
    ret: info ? Number.POSITIVE_INFINITY : done.time,
    ...(pod === undefined ? {} : { pod }),
    lines: [p.line, line],
  };
}

/**
 * The operations of a history, in invocation order, `fail`s left out. `lines[i]` is the
 * line number of events[i] (defaults to i + 1, as in a file without blank lines).
 */
export function pair(events: readonly HistoryEvent[], lines?: readonly number[]): Operation[] {
  const pending = new Map<number, Pending>();
  const retired = new Map<number, number>();
  const lastTime = new Map<number, number>();
  const slots: (Operation | undefined | null)[] = [];
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    const line = lines?.[i] ?? i + 1;
    const bad = (why: string): never => {
      throw new HistoryFormatError(`history line ${line}: ${why}`);
    };
    const gone = retired.get(e.process);
    if (gone !== undefined)
      bad(`process ${e.process} was retired after its info at line ${gone}: a client continues under a fresh process id`);
    const prev = lastTime.get(e.process);
    if (prev !== undefined && e.time < prev) bad(`time ${e.time} of process ${e.process} goes back before its previous event (${prev})`);
    lastTime.set(e.process, e.time);
    const open = pending.get(e.process);
    if (e.type === 'invoke') {
      if (open) bad(`process ${e.process} invokes while its operation from line ${open.line} is still open`);
      pending.set(e.process, { event: e, line, index: slots.length });
      slots.push(null);
      continue;
    }
    if (!open) bad(`${e.type} for process ${e.process}, which has no open invocation`);
    pending.delete(e.process);
    slots[open!.index] = complete(open!, e, line);
    if (e.type === 'info') retired.set(e.process, line);
  }
  for (const p of pending.values()) {
    const inv = p.event;
    slots[p.index] = {
      id: p.index,
      process: inv.process,
      type: 'info',
      f: inv.f,
      key: inv.key,
      value: inv.value,
      call: inv.time,
      ret: Number.POSITIVE_INFINITY,
      ...(inv.pod === undefined ? {} : { pod: inv.pod }),
      lines: [p.line, 0],
    };
  }
  const ops: Operation[] = [];
  for (const s of slots) if (s) ops.push({ ...s, id: ops.length });
  return ops;
}
