// The random numbers the native addon draws are the TypeScript generator's, bit for bit: its exp
// and log (fdlibm, as V8's Math.exp/Math.log) on millions of arguments, millions of normals of
// several streams (the ziggurat's wedge and tail included), and each input law's batches, which
// the online-sgd dynamics now draws natively. A stored run would change if any bit differed.
import { describe, expect, it } from 'vitest';
import type { Inputs } from '@mfsim/contracts';
import { drawInputs } from '../src/inputs.ts';
import { loadNativeAddon, loadNativeKernel, type NativeAddon } from '../src/kernels/native.ts';
import { RandomStream, STREAMS, streamKey } from '../src/rng.ts';

let addon: NativeAddon | null = null;
try {
  addon = loadNativeAddon();
} catch (err) {
  console.warn(`native random-number tests skipped: ${(err as Error).message}`);
}

/** Index of the first element where a and b differ in bits (NaN equals NaN), or -1. */
function firstDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 0;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

describe.skipIf(addon === null)('native random numbers', () => {
  it('exp and log round as Math.exp and Math.log on 3 million arguments', () => {
    const N = 1_500_000;
    const xs = new Float64Array(N);
    const s = new RandomStream(7, 100, 0, 0);
    for (let i = 0; i < N; i++) {
      const u = s.uniform();
      switch (i % 6) {
        case 0: xs[i] = -0.5 * (8 * u) ** 2; break; // the ziggurat's wedge
        case 1: xs[i] = u; break; // its tail's log(uniform)
        case 2: xs[i] = (u - 0.5) * 1500; break; // overflow and underflow
        case 3: xs[i] = u * 1e-300; break; // subnormals
        case 4: xs[i] = (u - 0.5) * 3; break; // near 0 and 1, the reduction's boundaries
        default: xs[i] = 2 ** ((u - 0.5) * 2000);
      }
    }
    xs.set([1, 0, -0, Infinity, -Infinity, NaN, -1, Number.MIN_VALUE, 709.782712893384, -745.1332191019412]);
    const got = addon!.fdlibm(xs);
    const want = new Float64Array(2 * N);
    for (let i = 0; i < N; i++) {
      want[2 * i] = Math.exp(xs[i]);
      want[2 * i + 1] = Math.log(xs[i]);
    }
    const at = firstDifference(got, want);
    expect(at, at < 0 ? '' : `x = ${xs[at >> 1]}: ${got[at]} vs ${want[at]}`).toBe(-1);
  });

  it('4 million normals of 16 streams equal RandomStream.normal()', () => {
    const count = 250_000;
    for (let j = 0; j < 16; j++) {
      const seed = j % 2 ? 2 ** 40 + 977 * j : 31 * j;
      const stream = [STREAMS.batch, STREAMS.init, STREAMS.sde, STREAMS.langevin][j % 4];
      const [k0, k1] = streamKey(seed, stream);
      const got = addon!.drawNormals(k0, k1, 3 * j, j % 5, j % 3, count);
      const ts = new RandomStream(seed, stream, j % 5, 3 * j, j % 3);
      const want = new Float64Array(count);
      for (let i = 0; i < count; i++) want[i] = ts.normal();
      expect(firstDifference(got, want), `stream ${j}`).toBe(-1);
    }
  });

  it('each input law: the batches of all replicas equal drawInputs, on 1 and 3 threads', () => {
    const laws: Inputs[] = [
      { kind: 'sphere', d: 32 },
      { kind: 'gaussian', d: 7 },
      { kind: 'uniform', d: 5, a: 2.5 },
      { kind: 'isotropic-gaussians', d: 16, delta: 0.3 },
    ];
    const R = 5, B = 3000, step = 12345;
    for (const threads of [1, 3]) {
      const kernel = loadNativeKernel({ threads });
      for (const inputs of laws) {
        const drawn = kernel.sampleInputs!(inputs, 99, STREAMS.batch, step, R, B)!;
        for (let r = 0; r < R; r++) {
          const want = drawInputs(inputs, new RandomStream(99, STREAMS.batch, r, step), B);
          const d = inputs.kind === 'dataset' ? 0 : inputs.d;
          expect(firstDifference(drawn.x.subarray(r * B * d, (r + 1) * B * d), want.x), `${inputs.kind} x, replica ${r}`).toBe(-1);
          if (want.y) expect(firstDifference(drawn.y!.subarray(r * B, (r + 1) * B), want.y), `${inputs.kind} y`).toBe(-1);
          else expect(drawn.y).toBeUndefined();
        }
      }
    }
  });

  it('leaves dataset inputs to the TypeScript', () => {
    const kernel = loadNativeKernel({ threads: 1 });
    expect(kernel.sampleInputs!({ kind: 'dataset', train: { x: [[1]], y: [1] } } as Inputs, 1, STREAMS.batch, 0, 1, 4)).toBeNull();
  });
});
