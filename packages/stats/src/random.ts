// A small seeded PRNG (SplitMix32: a Weyl sequence through the MurmurHash3 finaliser).
// Deterministic across platforms, so bootstrap intervals are reproducible from their seed.

export interface Random {
  /** Uniform integer in [0, 2^32). */
  uint32(): number;
  /** Uniform float in [0, 1). */
  float(): number;
  /** Uniform integer in [0, n); n <= 2^31. */
  below(n: number): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
}

const TWO_POW_MINUS_32 = 2.3283064365386963e-10;

/** Mixes two integers into one 32-bit seed, so that e.g. (seed, step) gives independent streams. */
export function mixSeed(a: number, b: number): number {
  let z = (Math.imul(a | 0, 0x9e3779b1) ^ (b | 0)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export function createRandom(seed: number): Random {
  let state = seed | 0;
  let spareNormal: number | null = null;
  const uint32 = (): number => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  const float = (): number => uint32() * TWO_POW_MINUS_32;
  return {
    uint32,
    float,
    below: (n) => Math.floor(uint32() * TWO_POW_MINUS_32 * n),
    normal: () => {
      if (spareNormal !== null) {
        const z = spareNormal;
        spareNormal = null;
        return z;
      }
      const u1 = 1 - float(); // (0, 1]: log stays finite
      const u2 = float();
      const r = Math.sqrt(-2 * Math.log(u1));
      spareNormal = r * Math.sin(2 * Math.PI * u2);
      return r * Math.cos(2 * Math.PI * u2);
    },
  };
}
