// The search's memory of visited configurations: (set of linearized operations, state).
// Porcupine keeps a full bitset per entry and hashes it word by word at every step; here
// the set is hashed incrementally (Zobrist: XOR of one random word per operation) and
// stored compactly as (f, Z): every operation below index f is linearized except those in
// Z, none from f on. Z holds only operations still pending when f's was called (bounded by
// the concurrency plus info operations not yet placed), so an entry is a few ints.
// Everything lives in two Int32Arrays: entries are [hash, next, state, f, |Z|, Z...].

const HEADER = 5;

export class Memo {
  private table: Int32Array;
  private arena: Int32Array;
  private used = 0;
  private count = 0;

  constructor(initialSlots = 1 << 12) {
    this.table = new Int32Array(initialSlots);
    this.arena = new Int32Array(initialSlots * 8);
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held, for the bench's memory column. */
  get bytes(): number {
    return this.table.byteLength + this.arena.byteLength;
  }

  /** Records the configuration; false when it was already there. */
  add(hash: number, state: number, f: number, z: Int32Array, zlen: number): boolean {
    const mask = this.table.length - 1;
    for (let at = this.table[hash & mask]! - 1; at >= 0; at = this.arena[at + 1]! - 1) {
      if (this.matches(at, hash, state, f, z, zlen)) return false;
    }
    this.store(hash, state, f, z, zlen);
    if (++this.count * 2 > this.table.length) this.rehash();
    return true;
  }

  private matches(at: number, hash: number, state: number, f: number, z: Int32Array, zlen: number): boolean {
    const a = this.arena;
    if (a[at] !== hash || a[at + 2] !== state || a[at + 3] !== f || a[at + 4] !== zlen) return false;
    for (let i = 0; i < zlen; i++) if (a[at + HEADER + i] !== z[i]) return false;
    return true;
  }

  private store(hash: number, state: number, f: number, z: Int32Array, zlen: number): void {
    const need = this.used + HEADER + zlen;
    if (need > this.arena.length) {
      const bigger = new Int32Array(Math.max(need, this.arena.length * 2));
      bigger.set(this.arena.subarray(0, this.used));
      this.arena = bigger;
    }
    const a = this.arena;
    const at = this.used;
    const slot = hash & (this.table.length - 1);
    a[at] = hash;
    a[at + 1] = this.table[slot]!;
    a[at + 2] = state;
    a[at + 3] = f;
    a[at + 4] = zlen;
    for (let i = 0; i < zlen; i++) a[at + HEADER + i] = z[i]!;
    this.table[slot] = at + 1;
    this.used = need;
  }

  private rehash(): void {
    const table = new Int32Array(this.table.length * 2);
    const mask = table.length - 1;
    const a = this.arena;
    for (let at = 0; at < this.used; at += HEADER + a[at + 4]!) {
      const slot = a[at]! & mask;
      a[at + 1] = table[slot]!;
      table[slot] = at + 1;
    }
    this.table = table;
  }
}
