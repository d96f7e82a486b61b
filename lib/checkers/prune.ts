// A pre-pass before the search: unknown-outcome writes and cas whose value no other
// operation can observe are set aside. Under chaos a hot key collects dozens of them, each
// free to take effect at any point after its call, and the search's memo then holds every
// subset of them that could have been linearized and overwritten: a 659-operation key of
// a soak used 65 million steps and was still undecided. Dropping them changes no verdict:
//
// Let U be an info write of v, or an info cas whose new value is v, with ret = +Infinity,
// and let no other operation observe v: no read returns v and no cas (acknowledged or
// not) expects v. Claim: H is linearizable iff H without U is.
// - If L linearizes H − U, then L followed by U linearizes H: U precedes nothing in real
//   time (its return is +Infinity), a write is always allowed, and an info cas is allowed
//   in every state (applied or not, see step()).
// - If L linearizes H, take U out. If U did not change the state (a cas that did not
//   match, or v equal to the state before it), nothing else changes. Otherwise the
//   register holds v from U until the first write W after it (a cas swaps only from its
//   expected value, and none expects v). What L puts between U and W can only be info cas
//   that did not match v (a read there would return v, an acknowledged cas would expect
//   v): without U they might match the value s held before U. Move them to the very end,
//   after everything (allowed: they too return at +Infinity and are allowed in every
//   state). W writes whatever state it follows, so from W on every state is what it was.
// So the verdict is the same; applying the claim again to H − U lets the dropped info cas
// release its own expected value, which may make an info write of that value droppable
// in turn (a chain), hence the fixpoint below. The claim needs no unique values.
//
// Why each condition: a cas that expects v can only match after U (drop U and a `cas(v, w)`
// acknowledged later, or an info cas whose w is read later, loses its only explanation);
// a read of v likewise. A `fail`ed cas would observe "the register did not hold its
// expected value", which U may be the only explanation for, but pair() leaves failed
// operations out (they did not take effect, as in Knossos and Porcupine): the model never
// sees them, so they observe nothing here. If a history ever carries an unknown-outcome
// operation with a finite return, the first step of the argument fails: nothing is dropped.
import type { RegisterOps } from './register.ts';

const READ = 1;
const CAS = 2;

/** The value operation i leaves in the register when it takes effect (reads: none). */
const written = (ops: RegisterOps, i: number): number => (ops.kind[i] === CAS ? ops.b[i]! : ops.a[i]!);

/** Per operation, 1 when it is an info write or cas no operation can observe (see above). */
export function unobserved(ops: RegisterOps): Uint8Array {
  const drop = new Uint8Array(ops.n);
  for (let i = 0; i < ops.n; i++) if (ops.known[i] === 0 && ops.ret[i] !== Number.POSITIVE_INFINITY) return drop;
  // Observers per value: reads of it and cas expecting it; a cas that expects its own new
  // value counts as its own observer and so is never dropped (conservative, and rare).
  const observers = new Map<number, number>();
  const candidates = new Map<number, number[]>();
  for (let i = 0; i < ops.n; i++) {
    if (ops.kind[i] === READ || ops.kind[i] === CAS) observers.set(ops.a[i]!, (observers.get(ops.a[i]!) ?? 0) + 1);
    if (ops.kind[i] !== READ && ops.known[i] === 0) {
      const list = candidates.get(written(ops, i));
      if (list) list.push(i);
      else candidates.set(written(ops, i), [i]);
    }
  }
  const queue: number[] = [];
  for (const [v, list] of candidates) if (!observers.get(v)) queue.push(...list);
  while (queue.length > 0) {
    const i = queue.pop()!;
    if (drop[i] === 1) continue;
    drop[i] = 1;
    if (ops.kind[i] !== CAS) continue;
    const expected = ops.a[i]!;
    const left = observers.get(expected)! - 1;
    observers.set(expected, left);
    if (left === 0) queue.push(...(candidates.get(expected) ?? []));
  }
  return drop;
}

/** `ops` without its unobserved info writes and cas (the same object when there are none). */
export function prune(ops: RegisterOps): RegisterOps {
  const drop = unobserved(ops);
  const keep: number[] = [];
  for (let i = 0; i < ops.n; i++) if (drop[i] === 0) keep.push(i);
  if (keep.length === ops.n) return ops;
  const pick = <T extends Uint8Array | Int32Array | Float64Array>(col: T, make: new (n: number) => T): T => {
    const out = new make(keep.length);
    keep.forEach((i, k) => {
      out[k] = col[i]!;
    });
    return out;
  };
  return {
    n: keep.length,
    kind: pick(ops.kind, Uint8Array),
    a: pick(ops.a, Int32Array),
    b: pick(ops.b, Int32Array),
    known: pick(ops.known, Uint8Array),
    call: pick(ops.call, Float64Array),
    ret: pick(ops.ret, Float64Array),
    source: keep.map((i) => ops.source[i]!),
  };
}
