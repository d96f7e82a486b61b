// The Wing–Gong–Lowe search for one key (Lowe, "Testing for linearizability", 2017), with
// the memo of visited configurations that makes it practical. Calls and returns form one
// doubly linked list in time order; at each point the search tries the calls reachable
// before the first return, in order: a call whose step the model allows is linearized
// (taken out of the list with its return) unless (set, state) was already visited; a
// return reached first means its operation had to be linearized by now: backtrack.
// Operations whose outcome is unknown return at +Infinity, so they may be placed at any
// point after their call, including after everything else (never took effect). With
// `strands`, a step that leaves some operation unable ever to see the value it must see
// is not taken (owed.ts): a long-pending info write placed early and overwritten before
// the read of its value would otherwise be tried in every gap, with every other one.
import { Memo } from './memo.ts';
import { Owed } from './owed.ts';
import { type RegisterOps, step } from './register.ts';

export type SearchResult =
  | { readonly valid: true; readonly steps: number; readonly memo: number; readonly bytes: number }
  | {
      readonly valid: false;
      readonly steps: number;
      readonly memo: number;
      readonly bytes: number;
      readonly blocked: number;
      readonly states: readonly number[];
      readonly writer: number;
    }
  | { readonly valid: 'unknown'; readonly steps: number; readonly memo: number; readonly bytes: number; readonly reason: string };

/** Shared by the keys of one check: what is left of the step and CPU-time budget. */
export interface Budget {
  steps: number;
  /** On cpuMs()'s clock. */
  readonly deadline: number;
}

/**
 * This process's CPU time in ms: the search's time budget runs on it, not on the wall
 * clock, so a machine loaded by other work (a soak beside a CI run) does not turn a
 * history the checker can decide into an `unknown`.
 */
export function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

interface Entries {
  /** List node k (1..2n) → operation; head 0, tail 2n + 1. */
  readonly op: Int32Array;
  readonly isCall: Uint8Array;
  readonly next: Int32Array;
  readonly prev: Int32Array;
  readonly callNode: Int32Array;
  readonly retNode: Int32Array;
}

/**
 * Operations by return time (ties by index), unknown outcomes last. Returns are nearly in
 * call order (an operation overtakes only those it overlaps), so an insertion sort runs in
 * about n times the concurrency, with none of a comparator sort's cost on a cold start.
 */
function byReturn(ops: RegisterOps): Int32Array {
  const order = new Int32Array(ops.n);
  let finite = 0;
  for (let i = 0; i < ops.n; i++) {
    if (ops.ret[i] === Number.POSITIVE_INFINITY) continue;
    let k = finite++;
    while (k > 0 && ops.ret[order[k - 1]!]! > ops.ret[i]!) {
      order[k] = order[k - 1]!;
      k--;
    }
    order[k] = i;
  }
  for (let i = 0; i < ops.n; i++) if (ops.ret[i] === Number.POSITIVE_INFINITY) order[finite++] = i;
  return order;
}

/** Calls and returns in time order; at equal times calls first (the operations overlap), as Porcupine orders them. */
function entries(ops: RegisterOps): Entries {
  const n = ops.n;
  const e: Entries = {
    op: new Int32Array(2 * n + 2),
    isCall: new Uint8Array(2 * n + 2),
    next: new Int32Array(2 * n + 2),
    prev: new Int32Array(2 * n + 2),
    callNode: new Int32Array(n),
    retNode: new Int32Array(n),
  };
  const returns = byReturn(ops);
  let c = 0;
  let r = 0;
  for (let k = 1; k <= 2 * n; k++) {
    if (c < n && ops.call[c]! <= ops.ret[returns[r]!]!) {
      e.op[k] = c;
      e.isCall[k] = 1;
      e.callNode[c++] = k;
    } else {
      const i = returns[r++]!;
      e.op[k] = i;
      e.retNode[i] = k;
    }
  }
  for (let k = 0; k <= 2 * n + 1; k++) {
    e.next[k] = k + 1;
    e.prev[k] = k - 1;
  }
  return e;
}

function lift(e: Entries, i: number): void {
  const c = e.callNode[i]!;
  const r = e.retNode[i]!;
  e.next[e.prev[c]!] = e.next[c]!;
  e.prev[e.next[c]!] = e.prev[c]!;
  e.next[e.prev[r]!] = e.next[r]!;
  e.prev[e.next[r]!] = e.prev[r]!;
}

/** Undoes lift(); exact because lifts are undone in reverse order. */
function unlift(e: Entries, i: number): void {
  const c = e.callNode[i]!;
  const r = e.retNode[i]!;
  e.next[e.prev[r]!] = r;
  e.prev[e.next[r]!] = r;
  e.next[e.prev[c]!] = c;
  e.prev[e.next[c]!] = c;
}

/** Deterministic per-operation hash words (splitmix32 of the index), so runs are reproducible. */
function zobrist(n: number): Int32Array {
  const z = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let x = Math.imul(i + 1, 0x9e3779b9);
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    z[i] = x ^ (x >>> 16);
  }
  return z;
}

const mixState = (s: number): number => Math.imul(s + 0x6d2b79f5, 0x2c1b3c6d) ^ (s >>> 15);

/** The linearized set as (f, Z) with its Zobrist hash, see memo.ts. */
class Linearized {
  hash = 0;
  f = 0;
  zlen = 0;
  readonly z: Int32Array;
  private readonly words: Int32Array;
  constructor(n: number) {
    this.z = new Int32Array(n);
    this.words = zobrist(n);
  }
  /** Adds i; returns the f to restore on remove. */
  add(i: number): number {
    const before = this.f;
    this.hash ^= this.words[i]!;
    if (i >= this.f) {
      for (let j = this.f; j < i; j++) this.z[this.zlen++] = j;
      this.f = i + 1;
    } else {
      let k = 0;
      while (this.z[k] !== i) k++;
      this.z.copyWithin(k, k + 1, this.zlen--);
    }
    return before;
  }
  remove(i: number, before: number): void {
    this.hash ^= this.words[i]!;
    if (i + 1 === this.f && before <= i) {
      this.zlen -= i - before;
      this.f = before;
      return;
    }
    let k = this.zlen;
    while (k > 0 && this.z[k - 1]! > i) k--;
    this.z.copyWithin(k + 1, k, this.zlen++);
    this.z[k] = i;
  }
}

/** The operation on the stack that last set the register (a write, or a cas that swapped), or -1. */
function lastWriter(ops: RegisterOps, stackOp: Int32Array, stackState: Int32Array, depth: number, state: number): number {
  for (let k = depth - 1; k >= 0; k--) {
    const i = stackOp[k]!;
    const after = k + 1 < depth ? stackState[k + 1]! : state;
    if (ops.kind[i] === 0 || (ops.kind[i] === 2 && after !== stackState[k])) return i;
  }
  return -1;
}

/**
 * The first acknowledged read or cas still in the list that must see `value`: the one a
 * step the cut refused would have stranded, reported in place of that step's operation
 * (a write or an info operation, which no register state refuses), or -1.
 */
function stranded(e: Entries, ops: RegisterOps, value: number, except: number): number {
  for (let k = e.next[0]!; k < e.next.length - 1; k = e.next[k]!) {
    const o = e.op[k]!;
    if (e.isCall[k] === 1 && o !== except && ops.known[o] === 1 && ops.kind[o] !== 0 && ops.a[o] === value) return o;
  }
  return -1;
}

export function search(ops: RegisterOps, initial: number, budget: Budget, strands = false): SearchResult {
  const n = ops.n;
  const e = entries(ops);
  const memo = new Memo();
  const lin = new Linearized(n);
  const stackOp = new Int32Array(n);
  const stackState = new Int32Array(n);
  const stackF = new Int32Array(n);
  const tail = 2 * n + 1;
  let depth = 0;
  let state = initial;
  let node = e.next[0]!;
  let steps = 0;
  let deepest = -1;
  let blocked = -1;
  let blockedStates: number[] = [];
  let writer = -1;
  const done = () => ({ steps, memo: memo.size, bytes: memo.bytes + 40 * n });
  const owed = strands ? new Owed(ops) : undefined;
  while (e.next[0] !== tail) {
    if (++steps > budget.steps || ((steps & 0xffff) === 0 && cpuMs() > budget.deadline)) {
      const why = steps > budget.steps ? 'step budget' : 'CPU-time budget';
      budget.steps -= steps;
      return { valid: 'unknown', ...done(), reason: `${why} exhausted after ${steps} steps on ${n} operations` };
    }
    if (e.isCall[node] === 1) {
      const i = e.op[node]!;
      const next = step(ops, state, i);
      if (next >= 0 && owed?.strands(i, state, next)) {
        // The deepest point the cut stops at: the read or cas it protects cannot be placed.
        const k = next !== state && depth > deepest ? stranded(e, ops, state, i) : -1;
        if (k >= 0) [deepest, blocked, blockedStates, writer] = [depth, k, [next], i];
        node = e.next[node]!;
        continue;
      }
      if (next >= 0) {
        const before = lin.add(i);
        if (memo.add(lin.hash ^ mixState(next), next, lin.f, lin.z, lin.zlen)) {
          stackOp[depth] = i;
          stackState[depth] = state;
          stackF[depth++] = before;
          owed?.count(i, -1);
          state = next;
          lift(e, i);
          node = e.next[0]!;
          continue;
        }
        lin.remove(i, before);
      }
      node = e.next[node]!;
      continue;
    }
    // With the cut, a write or an info operation can reach its return unplaced (a step
    // refused, not one the register refuses); the read or cas behind it is recorded above.
    const reportable = !owed || (ops.kind[e.op[node]!] !== 0 && ops.known[e.op[node]!] === 1);
    if (reportable && depth > deepest) {
      deepest = depth;
      blocked = e.op[node]!;
      blockedStates = [state];
      writer = lastWriter(ops, stackOp, stackState, depth, state);
    } else if (reportable && depth === deepest && e.op[node] === blocked && !blockedStates.includes(state)) {
      blockedStates.push(state);
    }
    if (depth === 0) {
      budget.steps -= steps;
      return { valid: false, ...done(), blocked, states: blockedStates, writer };
    }
    const i = stackOp[--depth]!;
    state = stackState[depth]!;
    lin.remove(i, stackF[depth]!);
    owed?.count(i, 1);
    unlift(e, i);
    node = e.next[e.callNode[i]!]!;
  }
  budget.steps -= steps;
  return { valid: true, ...done() };
}
