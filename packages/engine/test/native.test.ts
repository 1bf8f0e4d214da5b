// The native (C++) kernel against a straightforward float64 reference: forward and one Euler step,
// every unit, shared and per-replica batches, with and without weights, decay, mean-field and ntk
// scales, awkward shapes. Skipped (with the reason printed) only when the addon could not be built.
import { describe, expect, it } from 'vitest';
import type { Batch, Kernel, Network, Particles, UnitKind } from '../src/kernel.ts';
import { loadCudaKernel } from '../src/kernels/cuda.ts';
import { loadNativeKernel } from '../src/kernels/native.ts';
import { RandomStream, STREAMS } from '../src/rng.ts';
import { pSpin } from '../src/targets.ts';

let kernel: Kernel | null = null;
let kernel1: Kernel | null = null;
let why = '';
try {
  kernel = loadNativeKernel({ threads: 3 });
  kernel1 = loadNativeKernel({ threads: 1 });
} catch (err) {
  why = (err as Error).message;
  console.warn(`native kernel tests skipped: ${why}`);
}
const skip = kernel === null;

let cuda: Kernel | null = null;
try {
  cuda = loadCudaKernel();
} catch (err) {
  console.warn(`CUDA kernel tests skipped: ${(err as Error).message}`);
}

// ---------- deterministic random numbers ----------
function rng(seed: number) {
  let a = seed >>> 0;
  const u = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const int = (lo: number, hi: number) => lo + Math.floor(u() * (hi - lo + 1));
  const pick = <T,>(xs: T[]) => xs[Math.floor(u() * xs.length)];
  return { u, normal, int, pick };
}
type Rng = ReturnType<typeof rng>;

function fill(len: number, f: () => number) {
  const a = new Float32Array(len);
  for (let i = 0; i < len; i++) a[i] = f();
  return a;
}

// ---------- float64 reference ----------
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 4) {
    let term = x, sum = x;
    for (let k = 1; k < 200; k++) {
      term *= (-x * x) / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  const x2 = x * x;
  const erfc = (Math.exp(-x2) / (ax * Math.sqrt(Math.PI))) * (1 - 1 / (2 * x2) + 3 / (4 * x2 * x2) - 15 / (8 * x2 * x2 * x2));
  return Math.sign(x) * (1 - erfc);
}

/** phi and dphi/dh (for gaussian units: h = |x - z|^2 and the derivative is handled by the caller). */
function act(unit: UnitKind, h: number): [number, number] {
  switch (unit) {
    case 'tanh': { const a = Math.tanh(h); return [a, 1 - a * a]; }
    case 'sigmoid': { const a = 1 / (1 + Math.exp(-h)); return [a, a * (1 - a)]; }
    case 'relu': return [Math.max(h, 0), h > 0 ? 1 : 0];
    case 'erf': return [erf(h), (2 / Math.sqrt(Math.PI)) * Math.exp(-h * h)];
    default: throw new Error('gaussian handled apart');
  }
}

/** S: |phi| + |phi'| * (sum of the magnitudes of the terms of the pre-activation): float32 error scale. */
interface RefOut { f: number[]; A: number[][]; G: number[][]; S: number[][] }

function refForward(net: Network, p: Particles, x: Float32Array, P: number, perReplica: boolean, r: number): RefOut {
  const { n, d } = p;
  const f: number[] = [], A: number[][] = [], G: number[][] = [], S: number[][] = [];
  const xo = perReplica ? r * P * d : 0;
  for (let mu = 0; mu < P; mu++) {
    let s = 0;
    const Ar: number[] = [], Gr: number[] = [], Sr: number[] = [];
    for (let i = 0; i < n; i++) {
      let a: number, g: number;
      if (net.unit === 'gaussian') {
        let q = 0;
        for (let k = 0; k < d; k++) { const t = x[xo + mu * d + k] - p.w[(r * n + i) * d + k]; q += t * t; }
        a = Math.exp(-q / (2 * net.bandwidth ** 2));
        g = a / net.bandwidth ** 2; // dphi/dz = g * (x - z)
        Sr.push(a + (a * q) / (2 * net.bandwidth ** 2));
      } else {
        let h = p.b[r * n + i], hm = Math.abs(h);
        for (let k = 0; k < d; k++) {
          h += x[xo + mu * d + k] * p.w[(r * n + i) * d + k];
          hm += Math.abs(x[xo + mu * d + k] * p.w[(r * n + i) * d + k]);
        }
        [a, g] = act(net.unit, h);
        Sr.push(Math.abs(a) + Math.abs(g) * hm);
      }
      Ar.push(a); Gr.push(g);
      s += p.c[r * n + i] * a;
    }
    f.push(net.scale * s); A.push(Ar); G.push(Gr); S.push(Sr);
  }
  return { f, A, G, S };
}

/** One reference Euler step; returns the new particles (float64) and the losses. */
function refStep(net: Network, p: Particles, batch: Batch, lr: number, decay: number) {
  const { R, n, d } = p;
  const P = batch.P;
  const c = Array.from(p.c), w = Array.from(p.w), b = Array.from(p.b);
  const loss: number[] = [];
  for (let r = 0; r < R; r++) {
    const { f, A, G } = refForward(net, p, batch.x, P, batch.perReplica, r);
    const xo = batch.perReplica ? r * P * d : 0, yo = batch.perReplica ? r * P : 0;
    const gc = new Array(n).fill(0), gb = new Array(n).fill(0), gw = new Array(n * d).fill(0);
    let sse = 0;
    for (let mu = 0; mu < P; mu++) {
      const res = f[mu] - batch.y[yo + mu];
      sse += res * res;
      const e = (batch.weights ? batch.weights[r * P + mu] : 1 / P) * res;
      for (let i = 0; i < n; i++) {
        const ci = p.c[r * n + i];
        gc[i] += net.scale * A[mu][i] * e;
        const D = net.scale * ci * G[mu][i] * e;
        gb[i] += D;
        for (let k = 0; k < d; k++) {
          const xk = batch.x[xo + mu * d + k];
          gw[i * d + k] += net.unit === 'gaussian' ? D * (xk - p.w[(r * n + i) * d + k]) : D * xk;
        }
      }
    }
    loss.push(sse / (2 * P));
    for (let i = 0; i < n; i++) {
      const j = r * n + i;
      c[j] = p.c[j] - lr * gc[i] - decay * p.c[j];
      if (net.unit !== 'gaussian') b[j] = p.b[j] - lr * gb[i] - decay * p.b[j];
      for (let k = 0; k < d; k++) w[j * d + k] = p.w[j * d + k] - lr * gw[i * d + k] - decay * p.w[j * d + k];
    }
  }
  return { c, w, b, loss };
}

// ---------- cases ----------
const UNITS: UnitKind[] = ['tanh', 'sigmoid', 'relu', 'erf', 'gaussian'];

interface Case { net: Network; p: Particles; batch: Batch; lr: number; decay: number; label: string }

function makeCase(g: Rng, unit: UnitKind, opts: { perReplica: boolean; weighted: boolean; ntk: boolean; R?: number; n?: number; d?: number; P?: number; decay?: number }): Case {
  const R = opts.R ?? g.int(1, 3);
  const n = opts.n ?? g.pick([1, 2, 7, 33, 64, 100]);
  const d = opts.d ?? g.pick([1, 3, 5, 13, 32]);
  const P = opts.P ?? g.pick([1, 3, 17, 70, 130]);
  const bandwidth = 0.9 + g.u();
  const net: Network = { unit, bandwidth, scale: opts.ntk ? 1 / Math.sqrt(n) : 1 / n };
  const sd = 1 / Math.sqrt(d);
  const p: Particles = {
    R, n, d,
    c: fill(R * n, () => g.normal()),
    w: fill(R * n * d, () => (unit === 'gaussian' ? 0.7 * g.normal() : g.normal() * sd * 1.5)),
    b: fill(R * n, () => (unit === 'gaussian' ? 0 : 0.5 * g.normal())),
  };
  const rows = opts.perReplica ? R * P : P;
  const xs = unit === 'gaussian' ? 0.7 : 1;
  const batch: Batch = {
    P, perReplica: opts.perReplica,
    x: fill(rows * d, () => xs * g.normal()),
    y: fill(rows, () => g.normal()),
  };
  if (opts.weighted) batch.weights = fill(R * P, () => 1 / P + g.normal() / Math.sqrt(P * 8));
  const dt = 0.2;
  const lr = opts.ntk ? dt : dt * n;
  const decay = opts.decay ?? g.pick([0, 0, 0.01]);
  return { net, p, batch, lr, decay, label: `${unit} R=${R} n=${n} d=${d} P=${P}${opts.perReplica ? ' per-replica' : ' shared'}${opts.weighted ? ' weighted' : ''} ${opts.ntk ? 'ntk' : 'mean-field'} decay=${decay}` };
}

function clone(p: Particles): Particles {
  return { ...p, c: p.c.slice(), w: p.w.slice(), b: p.b.slice() };
}

function maxAbs(a: ArrayLike<number>) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** max |got - want| / (2e-6 * max|before| + 1e-4 * max|want - before| + tiny): must be <= 1. */
function paramErr(got: Float32Array, want: number[], before: Float32Array): number {
  const scaleTheta = maxAbs(before);
  let scaleDelta = 0, err = 0;
  for (let i = 0; i < want.length; i++) {
    scaleDelta = Math.max(scaleDelta, Math.abs(want[i] - before[i]));
    err = Math.max(err, Math.abs(got[i] - want[i]));
  }
  return err / (2e-6 * scaleTheta + 1e-4 * scaleDelta + 1e-30);
}

function checkForward(k: Kernel, cs: Case) {
  const { net, p, batch } = cs;
  const f = k.forward(net, p, batch.x, batch.P, batch.perReplica);
  expect(f).toBeInstanceOf(Float32Array);
  expect(f.length).toBe(p.R * batch.P);
  for (let r = 0; r < p.R; r++) {
    const ref = refForward(net, p, batch.x, batch.P, batch.perReplica, r);
    for (let mu = 0; mu < batch.P; mu++) {
      // float32 error scale of the sum: scale * sum_i |c_i| (|phi_i| + |phi_i'| |terms of h_i|)
      let mag = 0;
      for (let i = 0; i < p.n; i++) mag += Math.abs(p.c[r * p.n + i]) * ref.S[mu][i];
      mag *= net.scale;
      const err = Math.abs(f[r * batch.P + mu] - ref.f[mu]);
      if (err > 1e-5 * mag + 1e-7 * Math.abs(ref.f[mu]) + 1e-30) {
        throw new Error(`${cs.label}: forward r=${r} mu=${mu} got ${f[r * batch.P + mu]} want ${ref.f[mu]} (scale ${mag})`);
      }
    }
  }
}

function checkStep(k: Kernel, cs: Case) {
  const { net, p, batch, lr, decay } = cs;
  const ref = refStep(net, p, batch, lr, decay);
  const q = clone(p);
  const loss = k.step(net, q, batch, { lr, decay });
  expect(loss).toBeInstanceOf(Float64Array);
  expect(loss.length).toBe(p.R);
  for (let r = 0; r < p.R; r++) {
    const rel = Math.abs(loss[r] - ref.loss[r]) / Math.max(ref.loss[r], 1e-12);
    if (rel > 2e-5) throw new Error(`${cs.label}: loss r=${r} got ${loss[r]} want ${ref.loss[r]}`);
  }
  for (const [name, got, want, before] of [['c', q.c, ref.c, p.c], ['w', q.w, ref.w, p.w], ['b', q.b, ref.b, p.b]] as const) {
    const e = paramErr(got, want, before);
    if (!(e <= 1)) throw new Error(`${cs.label}: ${name} error ${e.toFixed(2)} x tolerance`);
  }
  if (net.unit === 'gaussian') expect(Array.from(q.b)).toEqual(Array.from(p.b));
}

describe.skipIf(skip)('native kernel', () => {
  it('reports a name and a device', () => {
    expect(kernel!.name).toBe('native');
    expect(kernel!.device).toMatch(/thread/);
  });

  for (const unit of UNITS) {
    it(`${unit}: forward and one step match a float64 reference (random shapes)`, () => {
      const g = rng(1234 + UNITS.indexOf(unit));
      let count = 0;
      for (const perReplica of [false, true])
        for (const weighted of [false, true])
          for (const ntk of [false, true]) {
            for (let rep = 0; rep < 2; rep++) {
              const cs = makeCase(g, unit, { perReplica, weighted, ntk });
              checkForward(kernel!, cs);
              checkStep(kernel!, cs);
              checkStep(kernel1!, cs);
              count++;
            }
          }
      expect(count).toBe(16);
    });

    it(`${unit}: awkward sizes (n=1, P=1, d=1, d not a multiple of 8)`, () => {
      const g = rng(99 + UNITS.indexOf(unit));
      for (const [R, n, d, P] of [[1, 1, 1, 1], [2, 1, 7, 1], [1, 1, 3, 9], [3, 5, 1, 1], [1, 31, 9, 65], [2, 33, 17, 64], [1, 65, 100, 3]]) {
        for (const perReplica of [false, true]) {
          const cs = makeCase(g, unit, { perReplica, weighted: perReplica, ntk: false, R, n, d, P, decay: 0.05 });
          checkForward(kernel!, cs);
          checkStep(kernel!, cs);
        }
      }
    });
  }

  it('keeps float32 accuracy over many samples (P = 6000, one replica split across threads)', () => {
    const g = rng(7);
    for (const unit of ['tanh', 'gaussian'] as UnitKind[]) {
      const cs = makeCase(g, unit, { perReplica: false, weighted: true, ntk: false, R: 1, n: 40, d: 6, P: 6000 });
      checkStep(kernel!, cs);
      checkStep(kernel1!, cs);
    }
  });

  it('is deterministic for a fixed thread count', () => {
    const g = rng(11);
    const cs = makeCase(g, 'tanh', { perReplica: true, weighted: false, ntk: false, R: 2, n: 70, d: 10, P: 300 });
    const a = clone(cs.p), b = clone(cs.p);
    const la = kernel!.step(cs.net, a, cs.batch, { lr: cs.lr, decay: 0 });
    const lb = kernel!.step(cs.net, b, cs.batch, { lr: cs.lr, decay: 0 });
    expect(Array.from(la)).toEqual(Array.from(lb));
    expect(Buffer.from(a.w.buffer).equals(Buffer.from(b.w.buffer))).toBe(true);
    expect(Buffer.from(a.c.buffer).equals(Buffer.from(b.c.buffer))).toBe(true);
  });

  it('steps in place on subarray views and propagates non-finite values', () => {
    const g = rng(5);
    const cs = makeCase(g, 'erf', { perReplica: false, weighted: false, ntk: true, R: 2, n: 8, d: 4, P: 10, decay: 0 });
    const big = new Float32Array(cs.p.w.length + 5);
    big.set(cs.p.w, 3);
    const view: Particles = { ...clone(cs.p), w: big.subarray(3, 3 + cs.p.w.length) };
    const ref = refStep(cs.net, cs.p, cs.batch, cs.lr, 0);
    kernel!.step(cs.net, view, cs.batch, { lr: cs.lr, decay: 0 });
    expect(paramErr(view.w, ref.w, cs.p.w)).toBeLessThanOrEqual(1);
    expect(big[0]).toBe(0);
    expect(big[big.length - 1]).toBe(0);

    const bad = clone(cs.p);
    const x = cs.batch.x.slice();
    x[0] = NaN;
    const loss = kernel!.step(cs.net, bad, { ...cs.batch, x }, { lr: cs.lr, decay: 0 });
    expect(Number.isNaN(loss[0])).toBe(true);
    const big2 = clone(cs.p);
    big2.w[0] = Infinity;
    for (const unit of UNITS) {
      const l = kernel!.step({ ...cs.net, unit }, clone(big2), cs.batch, { lr: cs.lr, decay: 0 });
      expect(Number.isFinite(l[0]) && Number.isFinite(l[1])).toBeTypeOf('boolean');
    }
  });

  it('rejects arrays of the wrong size', () => {
    const g = rng(3);
    const cs = makeCase(g, 'tanh', { perReplica: false, weighted: false, ntk: false, R: 2, n: 4, d: 3, P: 5 });
    expect(() => kernel!.forward(cs.net, cs.p, cs.batch.x.subarray(1), cs.batch.P, false)).toThrow(RangeError);
    expect(() => kernel!.step(cs.net, { ...cs.p, c: cs.p.c.subarray(1) }, cs.batch, { lr: 1, decay: 0 })).toThrow(RangeError);
  });
});

describe.skipIf(skip)('native 3-spin target', () => {
  it('gives the TypeScript target\'s numbers bit for bit, on any thread count and sample count', () => {
    for (const [d, count] of [[10, 1031], [32, 77], [3, 5]] as const) {
      const J = new RandomStream(7, STREAMS.target, 0, 0, 0).fillNormal(new Float64Array(d ** 3));
      const x = new RandomStream(7, STREAMS.train, 0, 0, 0).fillNormal(new Float32Array(count * d)) as Float32Array;
      const plain = pSpin(J, d, 3)(x, count);
      for (const k of [kernel!, kernel1!]) {
        const fast = pSpin(J, d, 3, k)(x, count);
        expect(fast).not.toBe(plain);
        expect(Array.from(fast)).toEqual(Array.from(plain));
      }
    }
  });
});

describe.skipIf(!skip)('native kernel (not built)', () => {
  it('explains why it is unavailable', () => {
    expect(why).toMatch(/native addon/);
  });
});

describe.skipIf(cuda === null)('CUDA kernel (only where a GPU is present)', () => {
  it('matches the float64 reference for every unit, shared and per-replica batches', () => {
    const g = rng(2024);
    for (const unit of UNITS)
      for (const perReplica of [false, true])
        for (const weighted of [false, true]) {
          const cs = makeCase(g, unit, { perReplica, weighted, ntk: weighted });
          checkForward(cuda!, cs);
          checkStep(cuda!, cs);
        }
    const big = makeCase(g, 'tanh', { perReplica: true, weighted: false, ntk: false, R: 2, n: 100, d: 100, P: 300, decay: 0.01 });
    checkStep(cuda!, big);
  });

  it('sees host changes to the particles between steps (residency check)', () => {
    const g = rng(77);
    const cs = makeCase(g, 'sigmoid', { perReplica: false, weighted: false, ntk: false, R: 2, n: 40, d: 5, P: 50, decay: 0 });
    const q = clone(cs.p);
    cuda!.step(cs.net, q, cs.batch, { lr: cs.lr, decay: 0 });
    q.c[3] += 0.5; // e.g. Langevin noise added by the dynamics loop
    q.w[7] -= 0.25;
    const before = clone(q);
    const ref = refStep(cs.net, before, cs.batch, cs.lr, 0);
    cuda!.step(cs.net, q, cs.batch, { lr: cs.lr, decay: 0 });
    expect(paramErr(q.c, ref.c, before.c)).toBeLessThanOrEqual(1);
    expect(paramErr(q.w, ref.w, before.w)).toBeLessThanOrEqual(1);
  });
});
