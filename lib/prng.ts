// A small seeded PRNG so that a chaos run is reproducible from its seed alone.
// sfc32 passes PractRand/BigCrush and is tiny; its 128-bit state is filled from the
// 32-bit seed with splitmix32 so that neighbouring seeds (1, 2, 3…) give unrelated streams.

export interface Prng {
  /** Next value in [0, 2^32). */
  nextUint32(): number;
  /** Next value in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive); maxExclusive must be a positive integer. */
  int(maxExclusive: number): number;
}

export const MAX_SEED = 0xffff_ffff;

export function isSeed(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= MAX_SEED;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createPrng(seed: number): Prng {
  if (!isSeed(seed)) throw new Error(`PRNG seed must be an integer in 0..${MAX_SEED}, got ${seed}`);
  const mix = splitmix32(seed);
  let a = mix();
  let b = mix();
  let c = mix();
  let d = mix();

  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // sfc32's first outputs still carry some of the seed's structure; discard a few.
  for (let i = 0; i < 12; i++) nextUint32();

  const next = (): number => nextUint32() / 0x1_0000_0000;
  const int = (maxExclusive: number): number => {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1) {
      throw new Error(`int() bound must be a positive integer, got ${maxExclusive}`);
    }
    // Multiply-shift is biased by at most maxExclusive/2^32, negligible for pod counts.
    return Math.floor(next() * maxExclusive);
  };
  return { nextUint32, next, int };
}
