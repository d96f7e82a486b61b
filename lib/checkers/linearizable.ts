// Is a register history linearizable? Keys are independent registers, so each key is
// searched on its own (per-key partitioning, as Porcupine and Knossos do): the whole
// history is linearizable iff every key's is. The verdict is three-valued: a search that
// runs out of budget is `unknown`, never `valid` (a check reports it as error).
import { HistoryFormatError } from '../history/jsonl.ts';
import type { Operation, Scalar } from '../history/events.ts';
import { prune } from './prune.ts';
import { Interner, type RegisterOps, registerOps, registerProblem } from './register.ts';
import { type Budget, cpuMs, type SearchResult, search } from './search.ts';

/** The operation that could not be placed, with what it overlapped: a sub-history that shows the violation. */
export interface FailingSubHistory {
  readonly key: string;
  /** No linearization of the key's history can place this operation. */
  readonly op: Operation;
  /** The key's operations whose [call, ret] overlaps op's: the orders the search could try. */
  readonly concurrent: readonly Operation[];
  /** The values the register held when op had to take effect, in the longest partial linearizations found (null: never written). */
  readonly values: readonly (Scalar | null)[];
  /** The write or cas that set the first of those values there (absent: never written). */
  readonly writer?: Operation;
}

export interface SearchCost {
  readonly keys: number;
  readonly operations: number;
  readonly steps: number;
  /** Info writes and cas set aside before the search because no operation could observe them (see prune.ts). */
  readonly unobserved: number;
  /** Configurations remembered, and the bytes the largest key's search held. */
  readonly memo: number;
  readonly bytes: number;
}

export type LinearizabilityResult =
  | ({ readonly valid: true } & SearchCost)
  | ({ readonly valid: false; readonly failing: FailingSubHistory } & SearchCost)
  | ({ readonly valid: 'unknown'; readonly reason: string } & SearchCost);

export interface CheckOptions {
  /** Search steps allowed over all keys (default 100 million, a few tens of seconds). */
  readonly maxSteps?: number;
  /** CPU milliseconds of this process allowed (default: no limit beyond the steps). */
  readonly maxMs?: number;
}

export const DEFAULT_MAX_STEPS = 100_000_000;

/** Operations grouped by key, keys in order of first invocation. */
export function byKey(ops: readonly Operation[]): Map<string, Operation[]> {
  const keys = new Map<string, Operation[]>();
  for (const o of ops) {
    const list = keys.get(o.key);
    if (list) list.push(o);
    else keys.set(o.key, [o]);
  }
  return keys;
}

function overlaps(a: Operation, b: Operation): boolean {
  return a.call <= b.ret && b.call <= a.ret;
}

/**
 * The search with the stranding cut (see Owed in search.ts), which decides histories with
 * many long-pending info writes; when it refutes one, the plain search again for the
 * report. The cut backtracks as soon as a branch is doomed, often at a write that is only
 * stuck behind the real culprit (the write before a stale read, not the read), while the
 * plain search names the operation no linearization can place. It gets ten times the
 * first search's steps (at least a million, at most what is left); if it cannot finish
 * there, the verdict stands with the first search's operation.
 */
function decide(columns: RegisterOps, budget: Budget): SearchResult {
  const fast = search(columns, 0, budget, true);
  if (fast.valid !== false) return fast;
  const again: Budget = { steps: Math.min(budget.steps, Math.max(1_000_000, 10 * fast.steps)), deadline: budget.deadline };
  const plain = search(columns, 0, again, false);
  budget.steps -= plain.steps;
  if (plain.valid === true)
    throw new Error(
      `the register search contradicts itself on ${columns.n} operations: refuted with the stranding cut, linearized without`,
    );
  const steps = fast.steps + plain.steps;
  return plain.valid === false ? { ...plain, steps } : { ...fast, steps };
}

/** Judges paired register operations (see lib/history/pair.ts). Throws HistoryFormatError on set operations. */
export function checkRegister(ops: readonly Operation[], options: CheckOptions = {}): LinearizabilityResult {
  for (const o of ops) {
    const problem = registerProblem(o);
    if (problem) throw new HistoryFormatError(problem);
  }
  const budget: Budget = {
    steps: options.maxSteps ?? DEFAULT_MAX_STEPS,
    deadline: options.maxMs === undefined ? Number.POSITIVE_INFINITY : cpuMs() + options.maxMs,
  };
  const interner = new Interner();
  const keys = byKey(ops);
  let steps = 0;
  let unobserved = 0;
  let memo = 0;
  let bytes = 0;
  let unknown: string | undefined;
  const cost = (): SearchCost => ({ keys: keys.size, operations: ops.length, steps, unobserved, memo, bytes });
  for (const [key, list] of keys) {
    if (cpuMs() > budget.deadline) {
      unknown ??= `key "${key}": CPU-time budget exhausted before its search began`;
      continue;
    }
    const all = registerOps(list, interner);
    const columns = prune(all);
    unobserved += all.n - columns.n;
    const r = decide(columns, budget);
    steps += r.steps;
    memo += r.memo;
    bytes = Math.max(bytes, r.bytes);
    if (r.valid === 'unknown') {
      unknown ??= `key "${key}": ${r.reason}`;
      continue;
    }
    if (r.valid) continue;
    const op = columns.source[r.blocked]!;
    const concurrent = list.filter((o) => o !== op && overlaps(o, op));
    const values = r.states.map((s) => interner.value(s));
    const failing = { key, op, concurrent, values, ...(r.writer < 0 ? {} : { writer: columns.source[r.writer]! }) };
    return { valid: false, failing, ...cost() };
  }
  return unknown === undefined ? { valid: true, ...cost() } : { valid: 'unknown', reason: unknown, ...cost() };
}
