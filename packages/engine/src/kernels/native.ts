// The C++ kernel: fused forward/backward, OpenMP threads, SIMD activations (packages/engine/native).
// Built by `npm run build:native -w @mfsim/engine` into native/build/Release/mfsim_native.node.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Batch, Kernel, Network, Particles, StepSize, UnitKind } from '../kernel.ts';

const require = createRequire(import.meta.url);
const nativeDir = fileURLToPath(new URL('../../native/', import.meta.url));

export const UNIT_CODES: Record<UnitKind, number> = { tanh: 0, sigmoid: 1, relu: 2, erf: 3, gaussian: 4 };

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

interface NativeAddon {
  forward(unit: number, bandwidth: number, scale: number, R: number, n: number, d: number,
    c: Float32Array, w: Float32Array, b: Float32Array, x: Float32Array, P: number, perReplica: boolean,
    threads: number): Float32Array;
  step(unit: number, bandwidth: number, scale: number, R: number, n: number, d: number,
    c: Float32Array, w: Float32Array, b: Float32Array, x: Float32Array, y: Float32Array, P: number,
    perReplica: boolean, weights: Float32Array | null, lr: number, decay: number, threads: number): Float64Array;
  pspin3(C: Float64Array, d: number, norm: number, x: Float32Array, count: number, threads: number): Float32Array;
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

/** The C++ kernel (OpenMP). Throws an Error saying why when the addon is not built or fails to load. */
export function loadNativeKernel(options: { threads?: number } = {}): Kernel {
  const addon = loadAddon<NativeAddon>('build/Release/mfsim_native.node', 'native addon', 'native');
  const threads = Math.max(1, Math.floor(options.threads ?? os.availableParallelism?.() ?? os.cpus().length));
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const device = `${os.arch()} ${cpu}, ${addon.simd}, ${threads} thread${threads === 1 ? '' : 's'}${addon.openmp ? ' (OpenMP)' : ' (no OpenMP)'}`;
  return {
    name: 'native',
    device,
    forward(net: Network, p: Particles, x: Float32Array, P: number, perReplica: boolean): Float32Array {
      checkParticles(p);
      checkBatch(p, x, P, perReplica);
      return addon.forward(UNIT_CODES[net.unit], net.bandwidth, net.scale, p.R, p.n, p.d, p.c, p.w, p.b, x, P, perReplica, threads);
    },
    step(net: Network, p: Particles, batch: Batch, size: StepSize): Float64Array {
      checkParticles(p);
      checkBatch(p, batch.x, batch.P, batch.perReplica, batch.y, batch.weights);
      return addon.step(UNIT_CODES[net.unit], net.bandwidth, net.scale, p.R, p.n, p.d, p.c, p.w, p.b,
        batch.x, batch.y, batch.P, batch.perReplica, batch.weights ?? null, size.lr, size.decay, threads);
    },
    pSpin3(C: Float64Array, d: number, norm: number, x: Float32Array, count: number): Float32Array {
      return addon.pspin3(C, d, norm, x, count, threads);
    },
  };
}
