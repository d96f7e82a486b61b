// STS-LINEARIZABLE: the register history the run's client recorded (--traffic register)
// has a linearization: every read returns the value of the latest write or cas before it
// in one total order that respects real time. Recovery and durability do not show this: a
// deposed leader or an isolated member can answer a read with a value the cluster had
// already replaced, and every write still be there at the end. The verdict is the
// register checker's (lib/checkers/linearizable.ts); a search out of budget is `error`.
import { checkRegister, DEFAULT_MAX_STEPS, type FailingSubHistory } from '../checkers/linearizable.ts';
import { HistoryFormatError } from '../history/jsonl.ts';
import { pair } from '../history/pair.ts';
import type { HistoryRecord } from '../history/record.ts';
import type { Operation } from '../history/events.ts';
import type { Evidence } from '../model.ts';
import type { CheckDefinition, CheckInput, CheckOutcome } from './api.ts';
import { describeFigureOp, figureOf, type TimeMap, timeMap } from './linearizable-figure.ts';
import { errored, failed, passed, skipped } from './support.ts';

export const linearizable: CheckDefinition = {
  id: 'STS-LINEARIZABLE',
  guarantee: 'every read returns the latest value written before it, in one order that respects real time (register traffic)',
  run: judgeHistory,
};

/** A check runs inside the run's process: a budget that ends in time, not the CLI's open-ended one. */
export const DEFAULT_CHECK_MAX_MS = 60_000;
const SHOWN = 10;

function judgeHistory(input: CheckInput): CheckOutcome {
  const h = input.history;
  if (h === undefined) {
    const why = input.traffic?.skip ?? (input.traffic?.driver ? `the traffic was ${input.traffic.driver} writes` : 'no traffic ran');
    return skipped(`no register traffic in this run (no history recorded: ${why})`);
  }
  if (h.workload !== 'register') return skipped(`no register traffic in this run: its history is a ${h.workload} history`);
  if (h.error !== undefined) return errored(`the register history could not be read: ${h.error}`, [historyEvidence(h, h.error)]);
  if (h.events === undefined) return errored(`the register history ${h.file} is missing`, [historyEvidence(h, 'no events recorded')]);
  let ops: Operation[];
  try {
    ops = pair(h.events);
  } catch (err) {
    if (!(err instanceof HistoryFormatError)) throw err;
    return errored(`the register history ${h.file} is unreadable: ${err.message}`, [historyEvidence(h, err.message)]);
  }
  if (!ops.some((o) => o.type === 'ok'))
    return errored(`none of ${ops.length} operations in ${h.file} completed: nothing to judge`, [
      historyEvidence(h, `${h.events.length} events, ${ops.length} operations, none acknowledged`),
    ]);
  const maxSteps = input.limits?.historyMaxSteps ?? DEFAULT_MAX_STEPS;
  const maxMs = input.limits?.historyMaxMs ?? DEFAULT_CHECK_MAX_MS;
  let result: ReturnType<typeof checkRegister>;
  try {
    result = checkRegister(ops, { maxSteps, maxMs });
  } catch (err) {
    if (!(err instanceof HistoryFormatError)) throw err;
    return errored(`the register history ${h.file} is not a register history: ${err.message}`, [historyEvidence(h, err.message)]);
  }
  const cost = `${result.operations} operations on ${result.keys} key${result.keys === 1 ? '' : 's'}, ${result.steps} search steps`;
  const info = ops.filter((o) => o.type === 'info').length;
  if (result.valid === 'unknown')
    return errored(`could not decide linearizability within the budget (${maxSteps} steps, ${maxMs} ms): ${result.reason}`, [
      historyEvidence(h, `${cost}; unknown: ${result.reason}`, 'raise the budget, or re-judge with ordinal check-history --max-steps'),
    ]);
  if (result.valid)
    return passed(`all ${result.operations} operations linearizable (${result.keys} keys, ${info} of unknown outcome)`, [
      historyEvidence(h, `${cost}; ${info} of unknown outcome (info)`),
    ]);
  const f = result.failing;
  const map = timeMap(h, ops);
  return { ...failed(failureMessage(f, ops, map), failureEvidence(f, ops, map)), subHistory: figureOf(f, map, sourceOf(f, ops)) };
}

/** The write whose value a read returned (absent: not a read, a null read, or a value nobody wrote). */
function sourceOf(f: FailingSubHistory, ops: readonly Operation[]): Operation | undefined {
  return f.op.f === 'read' && f.op.value !== null ? writerOf(ops, f.key, f.op.value) : undefined;
}

function historyEvidence(h: HistoryRecord, observed: string, note?: string): Evidence {
  return { subject: `history ${h.file}`, observed, ...(note ? { note } : {}) };
}

/** The write or cas on `key` that put `value` there, if any did. */
function writerOf(ops: readonly Operation[], key: string, value: unknown): Operation | undefined {
  const v = JSON.stringify(value);
  return ops.find(
    (o) =>
      o.key === key &&
      ((o.f === 'write' && JSON.stringify(o.value) === v) || (o.f === 'cas' && JSON.stringify((o.value as unknown[])[1]) === v)),
  );
}

const held = (f: FailingSubHistory): string => f.values.map((v) => JSON.stringify(v)).join(' or ');
const pod = (o: Operation): string => (o.pod ? `pod ${o.pod}` : 'an unnamed pod');

/** A stale read: it returned a value the register held at some point (or its initial null), just not then. */
function isStaleRead(f: FailingSubHistory, ops: readonly Operation[]): boolean {
  return f.op.f === 'read' && (f.op.value === null || writerOf(ops, f.key, f.op.value) !== undefined);
}

function failureMessage(f: FailingSubHistory, ops: readonly Operation[], map: TimeMap): string {
  const o = f.op;
  const when = map.describe(o.call);
  const around = `${f.concurrent.length} concurrent operation${f.concurrent.length === 1 ? '' : 's'}`;
  if (isStaleRead(f, ops))
    return `stale read on key ${JSON.stringify(f.key)}: ${pod(o)} answered ${JSON.stringify(o.value)} while ${held(f)} was current (process ${o.process}, read at ${when}; ${around})`;
  if (o.f === 'read')
    return `read of a value never written on key ${JSON.stringify(f.key)}: ${pod(o)} answered ${JSON.stringify(o.value)}, the register held ${held(f)} (process ${o.process}, read at ${when}; ${around})`;
  const [from, to] = o.value as readonly unknown[];
  return `lost update on key ${JSON.stringify(f.key)}: cas ${JSON.stringify(from)}→${JSON.stringify(to)} acknowledged by ${pod(o)} while ${held(f)} was current (process ${o.process}, at ${when}; ${around})`;
}

function failureEvidence(f: FailingSubHistory, ops: readonly Operation[], map: TimeMap): Evidence[] {
  const o = f.op;
  const read = o.f === 'read';
  const at = (x: Operation): { at?: number } => (map.axis === 'run' ? { at: map.ms(x.call) } : {});
  const out: Evidence[] = [
    {
      subject: `key ${f.key}`,
      expected: read ? `a read returns the current value: ${held(f)}` : `cas expects the current value: ${held(f)}`,
      observed: `${describeFigureOp(o, map)}; no linearization places it`,
      ...at(o),
      note: isStaleRead(f, ops) ? `stale read: ${pod(o)} answered ${JSON.stringify(o.value)}, ${held(f)} was current` : 'cannot be placed',
    },
  ];
  if (f.writer)
    out.push({
      subject: `key ${f.key}`,
      observed: `${JSON.stringify(f.values[0])} set by ${describeFigureOp(f.writer, map)}`,
      ...at(f.writer),
      note: 'the value that was current',
    });
  const source = sourceOf(f, ops);
  if (source && source !== f.writer)
    out.push({
      subject: `key ${f.key}`,
      observed: `${JSON.stringify(o.value)} set by ${describeFigureOp(source, map)}`,
      ...at(source),
      note: 'the value read',
    });
  for (const c of f.concurrent.slice(0, SHOWN))
    if (c !== f.writer && c !== source)
      out.push({ subject: `key ${f.key}`, observed: describeFigureOp(c, map), ...at(c), note: 'concurrent' });
  if (f.concurrent.length > SHOWN)
    out.push({
      subject: `key ${f.key}`,
      observed: `${f.concurrent.length - SHOWN} more concurrent operations`,
      note: 'ordinal check-history lists them all',
    });
  return out;
}
