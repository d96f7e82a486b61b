// The history model: what a traffic client records, one event per line of history.jsonl,
// in the shape Jepsen's histories have (process, type, f, value, time) plus the key and
// the pod that answered. It sits below the checks: checkers and the CLI read it, nothing
// here knows about a cluster.

/** `info`: the outcome is unknown (a timeout, a lost connection): it may or may not have taken effect. */
export type EventType = 'invoke' | 'ok' | 'fail' | 'info';

/** Register functions (read, write, cas), set functions (add, read) and the bank's transfer (with read, write). */
export type Fn = 'read' | 'write' | 'cas' | 'add' | 'transfer';

/** A register or set element: unique per write in the workloads that make histories. */
export type Scalar = number | string;

/** A bank's balances: account id (decimal) → balance, as one read or the setup wrote them. */
export type Balances = Readonly<Record<string, number>>;

/**
 * read: the invoke carries null; its ok carries what was read (null: never written, a
 * set's elements as an array, or a bank's balances). write/add: the value written (a bank's
 * setup writes its initial balances). cas: [expected, new]. transfer: [from, to, amount].
 */
export type Value = Scalar | null | readonly Scalar[] | readonly [Scalar | null, Scalar] | Balances;

/** One line of history.jsonl. */
export interface HistoryEvent {
  /** A logical client: one operation at a time; retired after an `info` (see retire()). */
  readonly process: number;
  readonly type: EventType;
  readonly f: Fn;
  readonly key: string;
  readonly value: Value;
  /** Monotonic nanoseconds (an integer; only differences and order matter). */
  readonly time: number;
  /** The pod that answered (on completions) or was addressed (on invocations), when known. */
  readonly pod?: string;
}

/**
 * An invocation paired with its completion. `info` operations (and invocations that never
 * completed) have `ret` = Infinity: they may take effect at any point after `call`.
 * `fail` operations never took effect and are left out by pair().
 */
export interface Operation {
  /** Position among the paired operations, in invocation order. */
  readonly id: number;
  readonly process: number;
  readonly type: 'ok' | 'info';
  readonly f: Fn;
  readonly key: string;
  /** The invocation's value for writes, adds and cas; the completion's value for reads. */
  readonly value: Value;
  /** Invocation time (ns). */
  readonly call: number;
  /** Completion time (ns), Infinity when the outcome is unknown. */
  readonly ret: number;
  readonly pod?: string;
  /** 1-based line numbers in history.jsonl of the invocation and of the completion (0: none). */
  readonly lines: readonly [number, number];
}
