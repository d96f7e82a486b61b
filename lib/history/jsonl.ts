// history.jsonl: one HistoryEvent per line, in the order the client saw them. Reading
// validates every line and names the first bad one, so a truncated or hand-edited file is
// a clear error (bad input, exit 2) rather than a wrong verdict.
import { readFile, writeFile } from 'node:fs/promises';
import { UsageError } from '../errors.ts';
import type { Balances, EventType, Fn, HistoryEvent, Scalar, Value } from './events.ts';

const TYPES: ReadonlySet<string> = new Set<EventType>(['invoke', 'ok', 'fail', 'info']);
const FNS: ReadonlySet<string> = new Set<Fn>(['read', 'write', 'cas', 'add', 'transfer']);
const POD_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const FIELDS: ReadonlySet<string> = new Set(['process', 'type', 'f', 'key', 'value', 'time', 'pod']);

export class HistoryFormatError extends UsageError {
  override name = 'HistoryFormatError';
}

function isScalar(v: unknown): v is Scalar {
  return (typeof v === 'number' && Number.isFinite(v)) || typeof v === 'string';
}

/** A bank's balances: a plain object of account id (decimal) → integer balance. */
export function isBalances(v: unknown): v is Balances {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return Object.entries(v).every(([k, b]) => /^(0|[1-9]\d{0,8})$/.test(k) && Number.isSafeInteger(b));
}

/** Why `value` does not fit `f`, or undefined when it does. */
function valueProblem(f: Fn, value: unknown): string | undefined {
  if (f === 'read') {
    if (value === null || isScalar(value) || isBalances(value)) return undefined;
    if (Array.isArray(value) && value.every(isScalar)) return undefined;
    return "a read's value must be null, a number, a string, an array of them or balances ({account: integer})";
  }
  if (f === 'transfer') {
    const ok = Array.isArray(value) && value.length === 3 && value.every((x) => Number.isSafeInteger(x) && x >= 0);
    return ok ? undefined : 'a transfer value must be [from, to, amount] (non-negative integers)';
  }
  if (f === 'write' && isBalances(value)) return undefined;
  if (f === 'cas') {
    const pair = Array.isArray(value) && value.length === 2 && (value[0] === null || isScalar(value[0])) && isScalar(value[1]);
    return pair ? undefined : 'a cas value must be [expected, new] (expected may be null)';
  }
  return isScalar(value) ? undefined : `a ${f}'s value must be a number or a string`;
}

/** Checks one parsed line; returns the event or throws naming the line. */
export function validateEvent(raw: unknown, line: number): HistoryEvent {
  const bad = (why: string): never => {
    throw new HistoryFormatError(`history line ${line}: ${why}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return bad('not a JSON object');
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FIELDS.has(k)) bad(`unknown field ${JSON.stringify(k)}`);
  const { process, type, f, key, value, time, pod } = o;
  if (!Number.isSafeInteger(process) || (process as number) < 0)
    bad(`process must be a non-negative integer, got ${JSON.stringify(process)}`);
  if (typeof type !== 'string' || !TYPES.has(type)) bad(`type must be invoke, ok, fail or info, got ${JSON.stringify(type)}`);
  if (typeof f !== 'string' || !FNS.has(f)) bad(`f must be read, write, cas, add or transfer, got ${JSON.stringify(f)}`);
  if (typeof key !== 'string' || key === '') bad(`key must be a non-empty string, got ${JSON.stringify(key)}`);
  if (!Number.isSafeInteger(time) || (time as number) < 0) bad(`time must be a non-negative integer (ns), got ${JSON.stringify(time)}`);
  // A pod name is a DNS subdomain: checked so that what the CLI prints of it is plain text.
  if (pod !== undefined && (typeof pod !== 'string' || !POD_NAME.test(pod)))
    bad(`pod must be a pod name (a DNS subdomain), got ${JSON.stringify(pod)}`);
  if (!('value' in o)) bad("value is missing (use null for a read's invocation)");
  const problem = valueProblem(f as Fn, value);
  if (problem) bad(`${problem}, got ${JSON.stringify(value)}`);
  const event: HistoryEvent = {
    process: process as number,
    type: type as EventType,
    f: f as Fn,
    key: key as string,
    value: value as Value,
    time: time as number,
  };
  return pod === undefined ? event : { ...event, pod: pod as string };
}

/**
 * Parses history.jsonl text. Only trailing blank lines are allowed, so that event i is on
 * line i + 1 (the numbers pair() names in its errors).
 */
export function parseHistory(text: string): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const lines = text.replace(/\s+$/, '').split('\n');
  if (lines.length === 1 && lines[0] === '') return events;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') throw new HistoryFormatError(`history line ${i + 1}: blank line`);
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (err) {
      throw new HistoryFormatError(`history line ${i + 1}: not valid JSON (${(err as Error).message})`);
    }
    events.push(validateEvent(raw, i + 1));
  }
  return events;
}

/** One line per event, fields in a fixed order so that files diff cleanly. */
export function formatHistory(events: readonly HistoryEvent[]): string {
  let out = '';
  for (const e of events) {
    out += `${JSON.stringify({ process: e.process, type: e.type, f: e.f, key: e.key, value: e.value, time: e.time, ...(e.pod === undefined ? {} : { pod: e.pod }) })}\n`;
  }
  return out;
}

export async function readHistory(file: string): Promise<HistoryEvent[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new HistoryFormatError(`cannot read history ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  try {
    return parseHistory(text);
  } catch (err) {
    if (err instanceof HistoryFormatError) throw new HistoryFormatError(`${file}: ${err.message}`);
    throw err;
  }
}

export async function writeHistory(file: string, events: readonly HistoryEvent[]): Promise<void> {
  await writeFile(file, formatHistory(events));
}
