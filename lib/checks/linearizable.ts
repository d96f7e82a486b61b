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
    return skipped(
      `no register traffic in this run (no history.jsonl recorded: ${why}); --traffic register records one for the etcd sample`,
    );
  }
  if (h.workload !== 'register') return skipped(`no register traffic in this run: its history.jsonl is a ${h.workload} history`);
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
  const cost =
    `${result.operations} operations on ${result.keys} key${result.keys === 1 ? '' : 's'}, ${result.steps} search steps` +
    (result.unobserved > 0 ? ` (${result.unobserved} unobserved info writes/cas set aside before it)` : '');
  const info = ops.filter((o) => o.type === 'info').length;
  if (result.valid === 'unknown')
    return errored(`could not decide linearizability within the budget (${maxSteps} steps, ${maxMs} ms of CPU): ${result.reason}`, [
      historyEvidence(h, `${cost}; unknown: ${result.reason}`, 'raise the budget, or re-judge with ordinal check-history --max-steps'),
    ]);
  if (result.valid)
    return passed(`all ${result.operations} operations linearizable (${result.keys} keys, ${info} of unknown outcome)`, [
      historyEvidence(h, `${cost}; ${info} of unknown outcome (info)`),
    ]);
  const f = result.failing;
  const map = timeMap(h, ops);
  const c = culpritsOf(f, ops);
  return { ...failed(failureMessage(f, c, map), failureEvidence(f, c, map)), subHistory: figureOf(f, map, c) };
}

function historyEvidence(h: HistoryRecord, observed: string, note?: string): Evidence {
  return { subject: `history ${h.file}`, observed, ...(note ? { note } : {}) };
}

const newValue = (o: Operation): unknown => (o.f === 'cas' ? (o.value as readonly unknown[])[1] : o.value);

/** The write or cas on `key` that put `value` there, if any did. */
function writerOf(ops: readonly Operation[], key: string, value: unknown): Operation | undefined {
  const v = JSON.stringify(value);
  return ops.find((o) => o.key === key && o.f !== 'read' && JSON.stringify(newValue(o)) === v);
}

/** What a reader needs beside the failing operation: the value current then and who set it, and who wrote the value read. */
interface Culprits {
  /** The current value(s), as JSON. */
  readonly current: string;
  readonly writer?: Operation;
  /** How `writer` was chosen, for its evidence note. */
  readonly why: string;
  readonly source?: Operation;
  /** A read of a value the register did hold (or its initial null), just not then. */
  readonly stale: boolean;
}

function culpritsOf(f: FailingSubHistory, ops: readonly Operation[]): Culprits {
  const o = f.op;
  // The write acknowledged last before the operation was sent: every order puts it, or a
  // later write, before the operation, so its value is what "current" means to a reader.
  let before: Operation | undefined;
  for (const x of ops)
    if (x.key === f.key && x.f !== 'read' && x.type === 'ok' && x.ret < o.call && (before === undefined || x.ret > before.ret)) before = x;
  const seen = JSON.stringify(o.f === 'read' ? o.value : (o.value as readonly unknown[])[0]);
  const source = o.f === 'read' && o.value !== null ? writerOf(ops, f.key, o.value) : undefined;
  const stale = o.f === 'read' && (o.value === null || source !== undefined);
  if (before !== undefined && JSON.stringify(newValue(before)) !== seen)
    return {
      current: JSON.stringify(newValue(before)),
      writer: before,
      why: 'the last write acknowledged before it was sent',
      stale,
      ...(source ? { source } : {}),
    };
  return {
    current: f.values.map((v) => JSON.stringify(v)).join(' or '),
    ...(f.writer ? { writer: f.writer } : {}),
    why: 'the value the register held in the longest orders the search found',
    stale,
    ...(source ? { source } : {}),
  };
}

const pod = (o: Operation): string => (o.pod ? `pod ${o.pod}` : 'an unnamed pod');

function failureMessage(f: FailingSubHistory, c: Culprits, map: TimeMap): string {
  const o = f.op;
  const key = JSON.stringify(f.key);
  const tail = `process ${o.process}, sent ${map.describe(o.call)}; ${f.concurrent.length} concurrent operation${f.concurrent.length === 1 ? '' : 's'}`;
  if (c.stale) return `stale read on key ${key}: ${pod(o)} answered ${JSON.stringify(o.value)} while ${c.current} was current (${tail})`;
  if (o.f === 'read')
    return `read of a value never written on key ${key}: ${pod(o)} answered ${JSON.stringify(o.value)} while ${c.current} was current (${tail})`;
  const [from, to] = o.value as readonly unknown[];
  return `lost update on key ${key}: cas ${JSON.stringify(from)}→${JSON.stringify(to)} acknowledged by ${pod(o)} while ${c.current} was current (${tail})`;
}

function failureEvidence(f: FailingSubHistory, c: Culprits, map: TimeMap): Evidence[] {
  const o = f.op;
  const subject = `key ${f.key}`;
  const at = (x: Operation): { at?: number } => (map.axis === 'run' ? { at: map.ms(x.call) } : {});
  const out: Evidence[] = [
    {
      subject,
      expected: o.f === 'read' ? `a read returns the current value: ${c.current}` : `cas expects the current value: ${c.current}`,
      observed: `${describeFigureOp(o, map)}; no linearization places it`,
      ...at(o),
      note: c.stale ? `stale read: ${pod(o)} answered ${JSON.stringify(o.value)}, ${c.current} was current` : 'cannot be placed',
    },
  ];
  if (c.writer)
    out.push({
      subject,
      observed: `${JSON.stringify(newValue(c.writer))} set by ${describeFigureOp(c.writer, map)}`,
      ...at(c.writer),
      note: `the value that was current: ${c.why}`,
    });
  if (c.source && c.source !== c.writer)
    out.push({
      subject,
      observed: `${JSON.stringify(o.value)} set by ${describeFigureOp(c.source, map)}`,
      ...at(c.source),
      note: 'the value read',
    });
  for (const x of f.concurrent.slice(0, SHOWN))
    if (x !== c.writer && x !== c.source) out.push({ subject, observed: describeFigureOp(x, map), ...at(x), note: 'concurrent' });
  if (f.concurrent.length > SHOWN)
    out.push({
      subject,
      observed: `${f.concurrent.length - SHOWN} more concurrent operations`,
      note: 'ordinal check-history lists them all',
    });
  return out;
}
