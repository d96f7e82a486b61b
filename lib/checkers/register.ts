// The register model for the linearizability search: values interned to small integers
// (0 = never written, what a read of null sees) so that a state is one int and a step is
// a few comparisons. Operations are columns of typed arrays, in invocation order.
import type { Operation, Scalar, Value } from '../history/events.ts';

const WRITE = 0;
const READ = 1;
const CAS = 2;

/** One key's operations as the search sees them. Index i is the i-th operation by call time. */
export interface RegisterOps {
  readonly n: number;
  /** 0 write, 1 read, 2 cas. */
  readonly kind: Uint8Array;
  /** write: the value; read: the value read; cas: the expected value. */
  readonly a: Int32Array;
  /** cas: the new value. */
  readonly b: Int32Array;
  /** 1 when the outcome is known (ok), 0 for info. */
  readonly known: Uint8Array;
  readonly call: Float64Array;
  readonly ret: Float64Array;
  /** The Operation each index came from. */
  readonly source: readonly Operation[];
}

export class Interner {
  private readonly ids = new Map<Scalar, number>();
  private readonly values: (Scalar | null)[] = [null];
  id(v: Scalar | null): number {
    if (v === null) return 0;
    let id = this.ids.get(v);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(v, id);
      this.values.push(v);
    }
    return id;
  }
  value(id: number): Scalar | null {
    return this.values[id] ?? null;
  }
}

/** Why `op` is not a register operation, or undefined. */
export function registerProblem(op: Operation): string | undefined {
  if (op.f === 'add') return `operation at line ${op.lines[0]} is an add: a register history has read, write and cas`;
  if (op.f === 'read' && Array.isArray(op.value))
    return `read at line ${op.lines[1]} returned an array: a register read returns one value or null`;
  return undefined;
}

function scalarOf(v: Value): Scalar | null {
  return Array.isArray(v) ? null : (v as Scalar | null);
}

/**
 * Columns for one key's operations (sorted by call time). Reads whose outcome is unknown
 * are left out: they change nothing and observed nothing.
 */
export function registerOps(ops: readonly Operation[], interner: Interner): RegisterOps {
  const kept = ops.filter((o) => !(o.f === 'read' && o.type === 'info'));
  // Invocation order is call-time order in any history a client wrote as it went.
  if (!kept.every((o, i) => i === 0 || kept[i - 1]!.call <= o.call)) kept.sort((x, y) => x.call - y.call || x.id - y.id);
  const n = kept.length;
  const r: RegisterOps = {
    n,
    kind: new Uint8Array(n),
    a: new Int32Array(n),
    b: new Int32Array(n),
    known: new Uint8Array(n),
    call: new Float64Array(n),
    ret: new Float64Array(n),
    source: kept,
  };
  for (let i = 0; i < n; i++) {
    const o = kept[i]!;
    r.known[i] = o.type === 'ok' ? 1 : 0;
    r.call[i] = o.call;
    r.ret[i] = o.ret;
    if (o.f === 'cas') {
      const [from, to] = o.value as readonly [Scalar | null, Scalar];
      r.kind[i] = CAS;
      r.a[i] = interner.id(from);
      r.b[i] = interner.id(to);
    } else {
      r.kind[i] = o.f === 'read' ? READ : WRITE;
      r.a[i] = interner.id(scalarOf(o.value));
    }
  }
  return r;
}

/**
 * The state after applying operation i to `state`, or -1 when i cannot happen there.
 * An info cas that is applied took effect, so it swaps only when the value matched.
 */
export function step(ops: RegisterOps, state: number, i: number): number {
  const kind = ops.kind[i]!;
  if (kind === WRITE) return ops.a[i]!;
  if (kind === READ) return state === ops.a[i]! ? state : -1;
  if (state === ops.a[i]!) return ops.b[i]!;
  return ops.known[i] === 1 ? -1 : state;
}
