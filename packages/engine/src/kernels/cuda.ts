// The CUDA kernel (packages/engine/native/cuda): two fused kernels per step on the GPU, particles
// uploaded per call unless they are the same, unmodified arrays the previous step wrote back.
// Built by `npm run build:native -w @mfsim/engine` when nvcc is present (sm_90 + PTX).
import type { Batch, Kernel, Network, Particles, StepSize } from '../kernel.ts';
import { UNIT_CODES, checkBatch, checkParticles, loadAddon, rampArg } from './native.ts';

interface CudaAddon {
  init(device: number): string;
  forward(unit: number, bandwidth: number, scale: number, R: number, n: number, d: number,
    c: Float32Array, w: Float32Array, b: Float32Array, x: Float32Array, P: number, perReplica: boolean, ramp?: number[]): Float32Array;
  step(unit: number, bandwidth: number, scale: number, R: number, n: number, d: number,
    c: Float32Array, w: Float32Array, b: Float32Array, x: Float32Array, y: Float32Array, P: number,
    perReplica: boolean, weights: Float32Array | null, lr: number, decay: number, ramp?: number[]): Float64Array;
  dispose(): void;
}

/** The CUDA kernel. Throws an Error saying why when no CUDA build or no GPU is present. */
export function loadCudaKernel(options: { device?: number } = {}): Kernel {
  const addon = loadAddon<CudaAddon>('cuda/build/Release/mfsim_cuda.node', 'CUDA addon', 'cuda');
  const index = options.device ?? 0;
  let device: string;
  try {
    device = addon.init(index);
  } catch (err) {
    const msg = (err as Error).message;
    const why = /InsufficientDriver|NoDevice|no CUDA device|driver/i.test(msg) ? 'no usable CUDA driver or device' : 'CUDA initialisation failed';
    throw new Error(`${why}: ${msg}`);
  }
  return {
    name: 'cuda',
    device,
    forward(net: Network, p: Particles, x: Float32Array, P: number, perReplica: boolean): Float32Array {
      checkParticles(p);
      checkBatch(p, x, P, perReplica);
      return addon.forward(UNIT_CODES[net.unit], net.bandwidth, net.scale, p.R, p.n, p.d, p.c, p.w, p.b, x, P, perReplica, rampArg(net));
    },
    step(net: Network, p: Particles, batch: Batch, size: StepSize): Float64Array {
      checkParticles(p);
      checkBatch(p, batch.x, batch.P, batch.perReplica, batch.y, batch.weights);
      return addon.step(UNIT_CODES[net.unit], net.bandwidth, net.scale, p.R, p.n, p.d, p.c, p.w, p.b,
        batch.x, batch.y, batch.P, batch.perReplica, batch.weights ?? null, size.lr, size.decay, rampArg(net));
    },
    dispose() {
      addon.dispose();
    },
  };
}
