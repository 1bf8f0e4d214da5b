// Placeholder until the C++ addon lands: the loader reports why it is unavailable.
import type { Kernel } from '../kernel.ts';

/** The C++ kernel (OpenMP). Throws an Error saying why when the addon is not built or fails to load. */
export function loadNativeKernel(_options: { threads?: number } = {}): Kernel {
  throw new Error('the native addon is not built yet');
}
