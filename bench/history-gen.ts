// Seeded register histories for the linearizability checker's tests and bench: a
// simulated register store, linearizable by construction (each operation takes effect at
// one instant between its call and its return, applied in that order), with anomalies
// planted on request. Test and bench code only: nothing in lib/ imports this.
import type { HistoryEvent, Scalar } from '../lib/history/events.ts';
import { createPrng, type Prng } from '../lib/prng.ts';

export type Anomaly = 'stale-read' | 'lost-update' | 'duplicated-write' | 'never-written' | 'cas-mismatch';
export const ANOMALIES: readonly Anomaly[] = ['stale-read', 'lost-update', 'duplicated-write', 'never-written', 'cas-mismatch'];

export interface GenOptions {
  readonly seed: number;
  readonly operations: number;
  readonly processes: number;
  readonly keys: number;
  /** Chance that an operation's outcome is unknown (info); half of those took effect. */
  readonly infoRate?: number;
  /** Chance that an info write takes effect long after its call (many operations later). */
  readonly latePending?: number;
  /** The same for an info cas (default 0): it swaps then if the register holds its expected value. */
  readonly lateCas?: number;
  /** false: reads always complete (default true: reads may be info too, which only Porcupine keeps). */
  readonly infoReads?: boolean;
  /** Values written (and swapped in) drawn from 1..values instead of unique ones: ambiguous reads. */
  readonly values?: number;
  /**
   * As Ordinal's register client does (lib/traffic/workload-ops.ts): a cas expects the value
   * last written or swapped in on its key by any process, acknowledged or not, and swaps in
   * a fresh one; it fails when another write came between.
   */
  readonly casFromLastWritten?: boolean;
  readonly anomaly?: Anomaly;
}

interface SimOp {
  process: number;
  f: 'read' | 'write' | 'cas';
  key: string;
  value: Scalar | null | [Scalar | null, Scalar];
  call: number;
  at: number;
  ret: number;
  outcome: 'ok' | 'fail' | 'info';
  /** info operations that never took effect. */
  applied: boolean;
  /** casFromLastWritten: the cas's [expected, new], fixed when it was planned. */
  planned?: [Scalar | null, Scalar];
}

function plan(o: GenOptions, rng: Prng): SimOp[] {
  const free = Array.from({ length: o.processes }, () => rng.int(1000));
  const ids = Array.from({ length: o.processes }, (_, i) => i);
  const ops: SimOp[] = [];
  const lastWritten = new Map<string, Scalar>();
  let nextValue = 1;
  for (let n = 0; n < o.operations; n++) {
    const slot = rng.int(o.processes);
    const call = free[slot]! + 1 + rng.int(2000);
    const ret = call + 1 + rng.int(3000);
    const roll = rng.next();
    const f = roll < 0.5 ? 'read' : roll < 0.8 ? 'write' : 'cas';
    const info = rng.next() < (o.infoRate ?? 0) && (f !== 'read' || o.infoReads !== false);
    // Only draws the options ask for, so the histories of older seeds stay the same.
    const late =
      info && (f === 'write' ? rng.next() < (o.latePending ?? 0) : f === 'cas' && o.lateCas !== undefined && rng.next() < o.lateCas);
    const at = late ? ret + 20_000 + rng.int(200_000) : call + rng.int(ret - call + 1);
    const value = f !== 'write' ? null : o.values ? 1 + rng.int(o.values) : nextValue++;
    const key = `k${rng.int(o.keys)}`;
    let planned: [Scalar | null, Scalar] | undefined;
    if (o.casFromLastWritten && f === 'cas') planned = [lastWritten.get(key) ?? null, nextValue++];
    if (o.casFromLastWritten && f !== 'read') lastWritten.set(key, (planned?.[1] ?? value)!);
    ops.push({
      process: ids[slot]!,
      f,
      key,
      value,
      call,
      at,
      ret,
      outcome: info ? 'info' : 'ok',
      applied: !info || late || rng.next() < 0.5,
      ...(planned ? { planned } : {}),
    });
    if (info) ids[slot]! += o.processes;
    free[slot] = ret;
  }
  return ops;
}

/** Applies the operations at their instants: reads see the value then, cas swaps or fails. */
function simulate(ops: SimOp[], rng: Prng, values?: number): void {
  const state = new Map<string, Scalar | null>();
  const written = new Map<string, Scalar[]>();
  let fresh = 1_000_000_000;
  for (const op of [...ops].sort((x, y) => x.at - y.at)) {
    const current = state.get(op.key) ?? null;
    if (op.f === 'read') op.value = current;
    if (op.f === 'write' && op.applied) state.set(op.key, op.value as Scalar);
    if (op.f === 'write') written.set(op.key, [...(written.get(op.key) ?? []), op.value as Scalar]);
    if (op.f !== 'cas') continue;
    const old = written.get(op.key) ?? [];
    const expected = op.planned ? op.planned[0] : rng.next() < 0.6 || old.length === 0 ? current : old[rng.int(old.length)]!;
    op.value = op.planned ?? [expected, values ? 1 + rng.int(values) : fresh++];
    if (expected !== current) {
      if (op.outcome === 'ok') op.outcome = 'fail';
    } else if (op.applied) {
      state.set(op.key, op.value[1]);
    }
  }
}

/** Plants one anomaly; returns false when the history has nothing to plant it on. */
function plant(ops: SimOp[], anomaly: Anomaly, rng: Prng): boolean {
  const okReads = ops.filter((o) => o.f === 'read' && o.outcome === 'ok');
  const pick = <T>(xs: T[]): T | undefined => (xs.length === 0 ? undefined : xs[rng.int(xs.length)]);
  const writesBefore = (r: SimOp) =>
    ops.filter((w) => w.f === 'write' && w.key === r.key && w.outcome === 'ok' && w.ret < r.call && w.value !== r.value);
  if (anomaly === 'never-written') {
    const r = pick(okReads);
    if (r) r.value = 'never-written';
    return r !== undefined;
  }
  if (anomaly === 'cas-mismatch') {
    // Half the time an info cas that could not have matched, whose new value is read later.
    const infoCas = pick(ops.filter((o) => o.f === 'cas' && o.outcome === 'info'));
    const later = infoCas && pick(okReads.filter((r) => r.key === infoCas.key && r.call > infoCas.call));
    if (infoCas && later && rng.next() < 0.5) {
      infoCas.value = [-1, (infoCas.value as [Scalar | null, Scalar])[1]];
      later.value = infoCas.value[1];
      return true;
    }
    const c = pick(ops.filter((o) => o.f === 'cas' && o.outcome === 'ok'));
    if (c) c.value = [(c.value as [Scalar | null, Scalar])[0] === null ? -1 : null, (c.value as [Scalar | null, Scalar])[1]];
    return c !== undefined;
  }
  if (anomaly === 'lost-update') {
    // An acknowledged write that no later read sees: they see the value before it.
    const w = pick(ops.filter((o) => o.f === 'write' && o.outcome === 'ok' && okReads.some((r) => r.value === o.value)));
    if (!w) return false;
    const prior = writesBefore(w).at(-1)?.value ?? null;
    for (const r of okReads) if (r.value === w.value) r.value = prior;
    return true;
  }
  // stale-read: an older, overwritten value; duplicated-write: the oldest one, as if that
  // write had taken effect a second time later.
  const candidates = okReads.filter((r) => writesBefore(r).length > 1);
  const r = pick(candidates);
  if (!r) return false;
  const older = writesBefore(r);
  r.value = anomaly === 'duplicated-write' ? older[0]!.value : older[older.length - 2]!.value;
  return true;
}

function events(ops: SimOp[]): HistoryEvent[] {
  const out: { e: HistoryEvent; order: number }[] = [];
  for (const op of ops) {
    const invokeValue = op.f === 'read' ? null : op.value;
    out.push({ e: { process: op.process, type: 'invoke', f: op.f, key: op.key, value: invokeValue, time: op.call }, order: 0 });
    const doneValue = op.outcome === 'info' && op.f === 'read' ? null : op.value;
    out.push({
      e: { process: op.process, type: op.outcome, f: op.f, key: op.key, value: doneValue, time: op.ret, pod: `store-${op.process % 3}` },
      order: 1,
    });
  }
  out.sort((x, y) => x.e.time - y.e.time || x.order - y.order);
  return out.map((x) => x.e);
}

/** A history (events in time order) and whether an anomaly was planted. */
export function generate(o: GenOptions): { events: HistoryEvent[]; planted: boolean } {
  const rng = createPrng(o.seed);
  const ops = plan(o, rng);
  simulate(ops, rng, o.values);
  const planted = o.anomaly ? plant(ops, o.anomaly, rng) : false;
  return { events: events(ops), planted };
}
