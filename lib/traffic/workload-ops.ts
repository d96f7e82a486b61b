// The operations a history client issues, Jepsen style: a fixed number of logical clients,
// each running one operation at a time under a process id; a process whose operation ends
// `info` is retired and its client continues under a fresh id (lib/history/pair.ts's
// retire()). Pure and seeded: the same seed gives the same operations, so a run's traffic
// is reproducible up to the cluster's answers.
import { retire } from '../history/pair.ts';
import type { Fn, HistoryEvent, Value } from '../history/events.ts';
import { createPrng, type Prng } from '../prng.ts';

/** The environment variable that carries the history client's configuration (JSON) into its pod. */
export const CLIENT_CONFIG_ENV = 'ORDINAL_CLIENT_CONFIG';

export const TRAFFIC_WORKLOADS = ['register', 'set'] as const;
export type TrafficWorkload = (typeof TRAFFIC_WORKLOADS)[number];

/** The one key a set workload's adds and reads name in the history (its elements are separate etcd keys). */
export const SET_KEY = 'set';

/** What a logical client does next. */
export interface PlannedOp {
  readonly f: Fn;
  readonly key: string;
  /** The invocation's value: null for reads, the element or value for add/write, [expected, new] for cas. */
  readonly value: Value;
}

export interface GeneratorOptions {
  readonly workload: TrafficWorkload;
  readonly seed: number;
  /** Register: how many hot keys (a few, so that operations on one key overlap). */
  readonly keys: number;
}

/**
 * Register: reads, writes and compare-and-sets on a few hot keys (2:1:1), every written
 * value unique (a counter, so a value read names the one write that wrote it). A cas
 * expects the last value this generator wrote to that key, so it often matches.
 * Set: adds of unique elements.
 */
export class OpGenerator {
  private readonly prng: Prng;
  private next = 1;
  private readonly lastWritten = new Map<string, number>();
  private readonly o: GeneratorOptions;
  constructor(o: GeneratorOptions) {
    this.o = o;
    if (!Number.isSafeInteger(o.keys) || o.keys < 1) throw new Error(`keys must be a positive integer, got ${o.keys}`);
    this.prng = createPrng(o.seed);
  }

  op(): PlannedOp {
    const value = this.next++;
    if (this.o.workload === 'set') return { f: 'add', key: SET_KEY, value };
    const key = `r${this.prng.int(this.o.keys)}`;
    const roll = this.prng.int(4);
    if (roll < 2) {
      this.next--;
      return { f: 'read', key, value: null };
    }
    if (roll === 2) {
      this.lastWritten.set(key, value);
      return { f: 'write', key, value };
    }
    const expected = this.lastWritten.get(key) ?? null;
    this.lastWritten.set(key, value);
    return { f: 'cas', key, value: [expected, value] };
  }
}

/** How an operation ended, as the etcd client saw it. */
export type Outcome =
  | { readonly type: 'ok'; readonly value: Value; readonly pod?: string }
  | { readonly type: 'fail'; readonly pod?: string; readonly error: string }
  | { readonly type: 'info'; readonly error: string };

/**
 * The logical clients' process ids. Client i starts as process i; after an `info` it
 * continues as retire(process, concurrency), so ids never repeat and name their client.
 */
export class Processes {
  private readonly current: number[];
  readonly concurrency: number;
  constructor(concurrency: number) {
    this.concurrency = concurrency;
    if (!Number.isSafeInteger(concurrency) || concurrency < 1)
      throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
    this.current = Array.from({ length: concurrency }, (_, i) => i);
  }
  process(client: number): number {
    const p = this.current[client];
    if (p === undefined) throw new Error(`no client ${client} (concurrency ${this.concurrency})`);
    return p;
  }
  /** Records an outcome of client's operation; returns the process id its next operation runs under. */
  completed(client: number, type: Outcome['type']): number {
    const p = this.process(client);
    if (type === 'info') this.current[client] = retire(p, this.concurrency);
    return this.process(client);
  }
}

/** The invocation event. `pod`: the member addressed. */
export function invokeEvent(process: number, op: PlannedOp, time: number, pod?: string): HistoryEvent {
  return { process, type: 'invoke', f: op.f, key: op.key, value: op.value, time, ...(pod === undefined ? {} : { pod }) };
}

/**
 * The completion event. A write's or cas's completion repeats its invocation's value (pair()
 * requires it); a read's carries what was read; an `info` read, never seen, carries null.
 */
export function completionEvent(process: number, op: PlannedOp, out: Outcome, time: number): HistoryEvent {
  const value: Value = op.f === 'read' ? (out.type === 'ok' ? out.value : null) : op.value;
  const pod = out.type === 'info' ? undefined : out.pod;
  return { process, type: out.type, f: op.f, key: op.key, value, time, ...(pod === undefined ? {} : { pod }) };
}
