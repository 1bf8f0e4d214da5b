// Choosing a kernel: the fastest that loads, and why the others were skipped.
import type { Kernel } from './kernel.ts';
import { loadCudaKernel } from './kernels/cuda.ts';
import { loadNativeKernel } from './kernels/native.ts';
import { referenceKernel } from './kernels/reference.ts';
import { loadTfjsKernel } from './kernels/tfjs.ts';

function kernelThreads(): number | undefined {
  const t = Number(process.env.MFSIM_KERNEL_THREADS);
  return Number.isInteger(t) && t > 0 ? t : undefined;
}

export const KERNEL_PREFERENCES = ['auto', 'native', 'cuda', 'tfjs', 'tfjs-wasm', 'tfjs-cpu', 'tfjs-tensorflow', 'reference'] as const;
export type KernelPreference = (typeof KERNEL_PREFERENCES)[number];

export interface KernelChoice {
  kernel: Kernel;
  /** Which kernel was chosen and why the ones before it were not. */
  reason: string;
}

const loaders: Record<Exclude<KernelPreference, 'auto' | 'tfjs'>, () => Kernel | Promise<Kernel>> = {
  cuda: () => loadCudaKernel(),
  // MFSIM_KERNEL_THREADS fixes the threads; unset, a worker's engine sets them per chunk from the jobs running on the machine.
  native: () => loadNativeKernel({ threads: kernelThreads() }),
  'tfjs-tensorflow': () => loadTfjsKernel('tensorflow'),
  'tfjs-wasm': () => loadTfjsKernel('wasm'),
  'tfjs-cpu': () => loadTfjsKernel('cpu'),
  reference: () => referenceKernel,
};

const candidates: Record<KernelPreference, (keyof typeof loaders)[]> = {
  auto: ['cuda', 'native', 'tfjs-wasm', 'tfjs-cpu'],
  tfjs: ['tfjs-tensorflow', 'tfjs-wasm', 'tfjs-cpu'],
  cuda: ['cuda'],
  native: ['native'],
  'tfjs-tensorflow': ['tfjs-tensorflow'],
  'tfjs-wasm': ['tfjs-wasm'],
  'tfjs-cpu': ['tfjs-cpu'],
  reference: ['reference'],
};

/**
 * The kernel for a preference (default: env MFSIM_KERNEL, else 'auto'). 'auto' tries cuda, native,
 * tfjs-wasm, tfjs-cpu; 'tfjs' tries tfjs-tensorflow, tfjs-wasm, tfjs-cpu. Rejects, with every
 * reason, when none loads.
 */
export async function selectKernel(preference?: KernelPreference | string): Promise<KernelChoice> {
  const wanted = (preference ?? process.env.MFSIM_KERNEL ?? 'auto') as KernelPreference;
  const list = candidates[wanted];
  if (!list) throw new Error(`unknown kernel "${wanted}"; expected one of ${KERNEL_PREFERENCES.join(', ')}`);
  const skipped: string[] = [];
  for (const name of list) {
    try {
      const kernel = await loaders[name]();
      const why = skipped.length ? `; skipped ${skipped.join('; ')}` : '';
      return { kernel, reason: `${kernel.name} (${kernel.device}) for "${wanted}"${why}` };
    } catch (e) {
      skipped.push(`${name}: ${(e as Error).message}`);
    }
  }
  throw new Error(`no kernel available for "${wanted}": ${skipped.join('; ')}`);
}
