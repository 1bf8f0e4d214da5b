// Placeholder until the CUDA build lands: the loader reports why it is unavailable.
import type { Kernel } from '../kernel.ts';

/** The CUDA kernel. Throws an Error saying why when no CUDA build or no GPU is present. */
export function loadCudaKernel(_options: { device?: number } = {}): Kernel {
  throw new Error('the CUDA addon is not built');
}
