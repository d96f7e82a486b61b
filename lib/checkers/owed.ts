// The stranding cut of the search (search.ts with `strands`): per value, how many
// operations not yet linearized must still see it (acknowledged reads of it, acknowledged
// cas expecting it) and how many could still write it (writes of it, cas swapping it in).
// A branch that leaves the register off a value someone must still see, when nothing left
// can write that value, has no completion: every operation must be linearized, and that
// one only where the register holds its value, which only a write or a cas swapping it in
// puts there. The counts depend on the linearized set alone, so the cut agrees with the
// memo (a configuration cut once is cut on every path). Info reads are not in the columns,
// and an info cas need see nothing (it may not have matched): neither is counted as need,
// which only cuts less.
import type { RegisterOps } from './register.ts';

const WRITE = 0;
const CAS = 2;

/**
 * Per value: operations not yet linearized that must see it (acknowledged reads of it and
 * cas expecting it) and that can still write it. Leaving a value that someone still must
 * see, when nothing left can write it again, strands that operation: no completion of the
 * branch exists, so the search need not enter it.
 */
export class Owed {
  private readonly need: Int32Array;
  private readonly supply: Int32Array;
  private readonly ops: RegisterOps;
  /** Acknowledged operations not yet linearized. */
  private known = 0;
  constructor(ops: RegisterOps) {
    this.ops = ops;
    let top = 0;
    for (let i = 0; i < ops.n; i++) top = Math.max(top, ops.a[i]!, ops.b[i]!);
    this.need = new Int32Array(top + 1);
    this.supply = new Int32Array(top + 1);
    for (let i = 0; i < ops.n; i++) this.count(i, 1);
  }
  /** d = -1 when i is linearized, +1 when the search takes it back. */
  count(i: number, d: number): void {
    const o = this.ops;
    this.known += o.known[i]! * d;
    if (o.kind[i] === WRITE) this.supply[o.a[i]!]! += d;
    else {
      if (o.known[i] === 1) this.need[o.a[i]!]! += d;
      if (o.kind[i] === CAS) this.supply[o.b[i]!]! += d;
    }
  }
  /**
   * Would applying i (state → next) strand an operation that must still see a value (i
   * moves the register off a value still needed that nothing left can write)? Or is i an
   * info cas that would take no effect while acknowledged operations remain: it can wait
   * until they are all placed, since a cas that changes nothing changes no later state and
   * may go after everything (it returns at +Infinity); trying it in every gap first only
   * multiplies the configurations by every subset of such cas.
   */
  strands(i: number, state: number, next: number): boolean {
    const o = this.ops;
    if (next === state) {
      return o.kind[i] === CAS && o.known[i] === 0 && o.a[i] !== state && this.known > 0 && o.ret[i] === Number.POSITIVE_INFINITY;
    }
    const self = o.kind[i] === CAS && o.known[i] === 1 && o.a[i] === state ? 1 : 0;
    return this.need[state]! - self > 0 && this.supply[state] === 0;
  }
}
