// The C++ kernel: fused forward/backward, OpenMP threads, SIMD activations (packages/engine/native).
// Built by `npm run build:native -w @mfsim/engine` into native/build/Release/mfsim_native.node.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Inputs } from '@mfsim/contracts';
import type { Batch, Kernel, Network, Particles, StepSize, UnitKind } from '../kernel.ts';
import { streamKey } from '../rng.ts';

const require = createRequire(import.meta.url);
// MFSIM_NATIVE_DIR: where native/ is when this file runs from a bundle (bench/gpu-check.sh).
const nativeDir = process.env.MFSIM_NATIVE_DIR ? process.env.MFSIM_NATIVE_DIR.replace(/\/?$/, '/') : fileURLToPath(new URL('../../native/', import.meta.url));

export const UNIT_CODES: Record<UnitKind, number> = { tanh: 0, sigmoid: 1, relu: 2, erf: 3, gaussian: 4, ramp: 5 };

/** The addons' trailing ramp argument: [s1, s2, t1, t2] for ramp units, else undefined. */
export function rampArg(net: Network): [number, number, number, number] | undefined {
  if (net.unit !== 'ramp') return undefined;
  if (!net.ramp) throw new Error('the ramp unit needs its parameters {s1, s2, t1, t2}');
  const { s1, s2, t1, t2 } = net.ramp;
  return [s1, s2, t1, t2];
}

/** The reason recorded by native/build.mjs when an addon could not be built, if any. */
export function buildReason(which: 'native' | 'cuda'): string | null {
  try {
    const status = JSON.parse(readFileSync(nativeDir + 'build/status.json', 'utf8'));
    const s = status?.[which];
    return s && !s.ok && s.reason ? String(s.reason) : null;
  } catch {
    return null;
  }
}

/** Loads a .node addon from native/, or throws `<what> not built: <reason>`. */
export function loadAddon<T>(relPath: string, what: string, which: 'native' | 'cuda'): T {
  const file = nativeDir + relPath;
  if (!existsSync(file)) {
    const reason = buildReason(which) ?? 'run `npm run build:native -w @mfsim/engine`';
    throw new Error(`${what} not built: ${reason}`);
  }
  try {
    return require(file) as T;
  } catch (err) {
    throw new Error(`${what} failed to load (${file}): ${(err as Error).message}`);
  }
}

export interface NativeAddon {
  forward(unit: number, bandwidth: number, scale: number, R: number, n: number, d: number,
    c: Float32Array, w: Float32Array, b: Float32Array, x: Float32Array, P: number, perReplica: boolean,
    threads: number, ramp?: number[]): Float32Array;
  step(unit: number, bandwidth: number, scale: number, R: number, n: number, d: number,
    c: Float32Array, w: Float32Array, b: Float32Array, x: Float32Array, y: Float32Array, P: number,
    perReplica: boolean, weights: Float32Array | null, lr: number, decay: number, threads: number, ramp?: number[]): Float64Array;
  /** Birth-death potentials V [R, n] (see Kernel.potentials). */
  potentials(unit: number, bandwidth: number, scale: number, R: number, n: number, d: number,
    c: Float32Array, w: Float32Array, b: Float32Array, x: Float32Array, y: Float32Array, P: number,
    perReplica: boolean, weights: Float32Array | null, threads: number, ramp?: number[]): Float64Array;
  pspin3(C: Float64Array, d: number, norm: number, x: Float32Array, count: number, threads: number): Float32Array;
  drawInputs(kind: number, d: number, param: number, k0: number, k1: number, step: number, R: number, count: number,
    x: Float32Array, y: Float32Array | null, threads: number): void;
  drawNormals(k0: number, k1: number, step: number, replica: number, lane: number, count: number): Float64Array;
  peakGflops(threads: number, seconds: number): number;
  fdlibm(x: Float64Array): Float64Array;
  simd: string;
  maxThreads: number;
  openmp: boolean;
}

export function checkParticles(p: Particles): void {
  const { R, n, d } = p;
  if (p.c.length !== R * n) throw new RangeError(`particles.c has ${p.c.length} values, expected R*n = ${R * n}`);
  if (p.w.length !== R * n * d) throw new RangeError(`particles.w has ${p.w.length} values, expected R*n*d = ${R * n * d}`);
  if (p.b.length !== R * n) throw new RangeError(`particles.b has ${p.b.length} values, expected R*n = ${R * n}`);
}

export function checkBatch(p: Particles, x: Float32Array, P: number, perReplica: boolean, y?: Float32Array, weights?: Float32Array): void {
  const rows = perReplica ? p.R * P : P;
  if (x.length !== rows * p.d) throw new RangeError(`batch x has ${x.length} values, expected ${rows * p.d}`);
  if (y && y.length !== rows) throw new RangeError(`batch y has ${y.length} values, expected ${rows}`);
  if (weights && weights.length !== p.R * P) throw new RangeError(`batch weights has ${weights.length} values, expected R*P = ${p.R * P}`);
}

/** The x86-64 CPU's flags (empty elsewhere or when /proc/cpuinfo is unreadable). */
function cpuFlags(): Set<string> {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8').split('\n').find((l) => l.startsWith('flags'));
    return new Set((line ?? '').split(':')[1]?.trim().split(/\s+/) ?? []);
  } catch {
    return new Set();
  }
}

/**
 * The build for this CPU: native/build.mjs builds an AVX2+FMA (x86-64-v3) and an AVX-512
 * (x86-64-v4) addon on x86-64, so one image runs well on either; one addon elsewhere.
 */
export function nativeAddonPath(): string {
  if (os.arch() !== 'x64') return 'build/Release/mfsim_native.node';
  const flags = cpuFlags();
  if (flags.size === 0) return 'build/Release/mfsim_native.node';
  if (['avx512f', 'avx512bw', 'avx512dq', 'avx512vl'].every((f) => flags.has(f)) && existsSync(nativeDir + 'build/Release/mfsim_native_avx512.node')) {
    return 'build/Release/mfsim_native_avx512.node';
  }
  if (!(flags.has('avx2') && flags.has('fma'))) {
    throw new Error('native addon not usable: this CPU has no AVX2+FMA (the x86-64 builds need x86-64-v3)');
  }
  return 'build/Release/mfsim_native.node';
}

/** The native addon itself (the kernel, the batch sampler, the peak calibration), for benchmarks and tests. */
export function loadNativeAddon(): NativeAddon {
  return loadAddon<NativeAddon>(nativeAddonPath(), 'native addon', 'native');
}

/** Codes of the input laws the addon draws (native/src/rng.h). */
const INPUT_CODES = { gaussian: 0, sphere: 1, uniform: 2, 'isotropic-gaussians': 3 } as const;

/** The C++ kernel (OpenMP). Throws an Error saying why when the addon is not built or fails to load. */
export function loadNativeKernel(options: { threads?: number } = {}): Kernel {
  const addon = loadNativeAddon();
  let threads = Math.max(1, Math.floor(options.threads ?? os.availableParallelism?.() ?? os.cpus().length));
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const device = `${os.arch()} ${cpu}, ${addon.simd}, ${threads} thread${threads === 1 ? '' : 's'}${addon.openmp ? ' (OpenMP)' : ' (no OpenMP)'}`;
  return {
    name: 'native',
    device,
    forward(net: Network, p: Particles, x: Float32Array, P: number, perReplica: boolean): Float32Array {
      checkParticles(p);
      checkBatch(p, x, P, perReplica);
      return addon.forward(UNIT_CODES[net.unit], net.bandwidth, net.scale, p.R, p.n, p.d, p.c, p.w, p.b, x, P, perReplica, threads, rampArg(net));
    },
    step(net: Network, p: Particles, batch: Batch, size: StepSize): Float64Array {
      checkParticles(p);
      checkBatch(p, batch.x, batch.P, batch.perReplica, batch.y, batch.weights);
      return addon.step(UNIT_CODES[net.unit], net.bandwidth, net.scale, p.R, p.n, p.d, p.c, p.w, p.b,
        batch.x, batch.y, batch.P, batch.perReplica, batch.weights ?? null, size.lr, size.decay, threads, rampArg(net));
    },
    potentials(net: Network, p: Particles, batch: Batch): Float64Array {
      checkParticles(p);
      checkBatch(p, batch.x, batch.P, batch.perReplica, batch.y, batch.weights);
      return addon.potentials(UNIT_CODES[net.unit], net.bandwidth, net.scale, p.R, p.n, p.d, p.c, p.w, p.b,
        batch.x, batch.y, batch.P, batch.perReplica, batch.weights ?? null, threads, rampArg(net));
    },
    pSpin3(C: Float64Array, d: number, norm: number, x: Float32Array, count: number): Float32Array {
      return addon.pspin3(C, d, norm, x, count, threads);
    },
    setThreads(t: number): void {
      threads = Math.max(1, Math.floor(t));
    },
    sampleInputs(inputs: Inputs, seed: number, stream: number, step: number, R: number, count: number) {
      if (inputs.kind === 'dataset') return null;
      const d = inputs.d;
      const [k0, k1] = streamKey(seed, stream);
      const x = new Float32Array(R * count * d);
      const y = inputs.kind === 'isotropic-gaussians' ? new Float32Array(R * count) : null;
      const param = inputs.kind === 'uniform' ? inputs.a : inputs.kind === 'isotropic-gaussians' ? inputs.delta : 0;
      addon.drawInputs(INPUT_CODES[inputs.kind], d, param, k0, k1, step >>> 0, R, count, x, y, threads);
      return y ? { x, y } : { x };
    },
  };
}
