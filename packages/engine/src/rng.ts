// Counter-based random numbers: Philox4x32-10 (Salmon et al., SC'11, "Parallel random numbers:
// as easy as 1, 2, 3"), in exact 32-bit integer arithmetic so every platform gives the same bits.
//
// Stream layout. Every random number of a run is a pure function of its coordinates, never of
// what was drawn before, so results do not depend on chunking, resuming or thread counts:
//   key     = (seed mod 2^32, floor(seed / 2^32) | stream << 21)   seed < 2^53, stream < 2^11
//   counter = (block, step, replica, lane)
// `stream` says what the numbers are for (STREAMS below), `step` the Euler step (or the epoch for
// minibatch shuffles, 0 for fixed draws), `replica` the replica (0 for shared draws), `lane` a
// sub-stream (e.g. c, w and b of the initial particles), and `block` counts 128-bit blocks of
// output in order within that stream. A RandomStream reads those blocks sequentially.

/** What each stream id draws. Never renumber: stored runs depend on these. */
export const STREAMS = {
  target: 1, // p-spin couplings, random teacher
  train: 2, // the fixed training set / reference sample
  test: 3, // the test set
  probes: 4, // the probe inputs
  init: 5, // initial particles (per replica)
  batch: 6, // online sgd batches (per replica, per step)
  shuffle: 7, // minibatch epoch permutations (per replica, per epoch)
  sde: 8, // sde sample weights zeta (per replica, per step)
  langevin: 9, // temperature noise xi (per replica, per step)
  replacement: 10, // minibatch indices drawn with replacement (per replica, per step)
  birthDeath: 11, // birth-death decisions and partners (per replica, per step)
} as const;

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product a*b of two 32-bit words, exactly (16-bit limbs), as int32. */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff;
  const ah = a >>> 16;
  const bl = b & 0xffff;
  const bh = b >>> 16;
  const ll = al * bl;
  const lh = al * bh;
  const hl = ah * bl;
  const mid = (ll >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (Math.imul(ah, bh) + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) | 0;
}

/**
 * Philox4x32-10 of counter (c0..c3) under key (k0, k1), written into out[0..3]. Words are kept as
 * int32 (same bits as uint32) so V8 keeps them in small-integer registers.
 */
export function philox4x32(
  c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array,
): void {
  c0 |= 0; c1 |= 0; c2 |= 0; c3 |= 0; k0 |= 0; k1 |= 0;
  for (let round = 0; round < 10; round++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0);
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2);
    c0 = hi1 ^ c1 ^ k0;
    c1 = lo1;
    c2 = hi0 ^ c3 ^ k1;
    c3 = lo0;
    k0 = (k0 + W0) | 0;
    k1 = (k1 + W1) | 0;
  }
  // Uint32Array stores take the words modulo 2^32.
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

const TWO_32 = 4294967296;

// Transcendentals: Math.exp and Math.log are V8's fdlibm ports; the native addon draws the same
// numbers with the same fdlibm algorithm in plain float64 (native/src/fdlibm.cc, rng.cc), checked
// bit for bit against this file by test/rng-native.test.ts.
// Ziggurat tables for N(0, 1) (Marsaglia & Tsang, J. Stat. Softw. 5(8), 2000; 128 layers).
// One 32-bit word per normal (about 99% of the time): the low 7 bits pick the layer and the high
// 25 bits (signed) give the value, so the layer index and the value use disjoint bits (the
// correlation Doornik 2005 found in the original, which used the same bits for both, is avoided).
const ZIG_R = 3.442619855899;
const ZIG_V = 9.91256303526217e-3;
const ZIG_M = 2 ** 24;
const zk = new Float64Array(128);
const zw = new Float64Array(128);
const zf = new Float64Array(128);
{
  let dn = ZIG_R;
  let tn = dn;
  const q = ZIG_V / Math.exp(-0.5 * dn * dn);
  zk[0] = (dn / q) * ZIG_M;
  zk[1] = 0;
  zw[0] = q / ZIG_M;
  zw[127] = dn / ZIG_M;
  zf[0] = 1;
  zf[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(ZIG_V / dn + Math.exp(-0.5 * dn * dn)));
    zk[i + 1] = (dn / tn) * ZIG_M;
    tn = dn;
    zf[i] = Math.exp(-0.5 * dn * dn);
    zw[i] = dn / ZIG_M;
  }
}

/** The Philox key (k0, k1) of a (seed, stream) pair, as uint32 words (the layout above). */
export function streamKey(seed: number, stream: number): [number, number] {
  if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a safe non-negative integer, got ${seed}`);
  if (!(stream >= 0 && stream < 2048)) throw new RangeError(`stream id out of range: ${stream}`);
  return [seed % TWO_32 >>> 0, (Math.floor(seed / TWO_32) | (stream << 21)) >>> 0];
}

/** A sequential reader of one (seed, stream, replica, step, lane) stream. */
export class RandomStream {
  private readonly k0: number;
  private readonly k1: number;
  private block = 0;
  private readonly buf = new Uint32Array(4);
  private pos = 4;

  constructor(
    seed: number,
    stream: number,
    private readonly replica: number,
    private readonly step: number,
    private readonly lane = 0,
  ) {
    [this.k0, this.k1] = streamKey(seed, stream);
  }

  uint32(): number {
    if (this.pos === 4) {
      philox4x32(this.block, this.step >>> 0, this.replica >>> 0, this.lane >>> 0, this.k0, this.k1, this.buf);
      this.block++;
      this.pos = 0;
    }
    return this.buf[this.pos++];
  }

  /** Uniform in the open interval (0, 1), 32 bits. */
  uniform(): number {
    return (this.uint32() + 0.5) / TWO_32;
  }

  /** Uniform integer in [0, m) for m <= 2^32 (multiply-shift; the bias is below 2^-32 * m). */
  below(m: number): number {
    return Math.floor((this.uint32() / TWO_32) * m);
  }

  /** Standard normal by the ziggurat: usually one word, more in the rare edge and tail cases. */
  normal(): number {
    for (;;) {
      const u = this.uint32() | 0;
      const layer = u & 127;
      const h = u >> 7; // signed 25-bit
      if (Math.abs(h) < zk[layer]) return h * zw[layer];
      if (layer === 0) {
        // the tail beyond R (Marsaglia 1964)
        let x: number;
        let y: number;
        do {
          x = -Math.log(this.uniform()) / ZIG_R;
          y = -Math.log(this.uniform());
        } while (y + y < x * x);
        return h > 0 ? ZIG_R + x : -ZIG_R - x;
      }
      const x = h * zw[layer];
      if (zf[layer] + this.uniform() * (zf[layer - 1] - zf[layer]) < Math.exp(-0.5 * x * x)) return x;
    }
  }

  /** out[i] = scale * N(0, 1), i = 0..out.length-1. */
  fillNormal(out: Float32Array | Float64Array, scale = 1): Float32Array | Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = scale * this.normal();
    return out;
  }
}
