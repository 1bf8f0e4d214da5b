// Shared test helpers: specs, the kernels available here, and running a spec to the end.
import { specSchema, type Spec, type SpecInput } from '@mfsim/contracts';
import type { Kernel } from '../src/kernel.ts';
import { loadNativeKernel } from '../src/kernels/native.ts';
import { referenceKernel } from '../src/kernels/reference.ts';
import { loadTfjsKernel } from '../src/kernels/tfjs.ts';
import { simulate } from '../src/simulate.ts';
import type { Chunk, SimulateOptions, SimulationRun } from '../src/types.ts';

export const spec = (input: SpecInput): Spec => specSchema.parse(input);

/** Every kernel that loads on this machine (native only when its addon is built). */
export async function availableKernels(): Promise<Kernel[]> {
  const kernels: Kernel[] = [referenceKernel, await loadTfjsKernel('wasm'), await loadTfjsKernel('cpu')];
  try {
    kernels.push(loadNativeKernel());
  } catch {
    // not built here: the golden and agreement tests cover the others
  }
  return kernels;
}

export interface Result {
  run: SimulationRun;
  chunks: Chunk[];
}

export async function runAll(s: Spec, seed: number, options: SimulateOptions = {}): Promise<Result> {
  const run = await simulate(s, seed, options);
  const chunks: Chunk[] = [];
  for await (const chunk of run) chunks.push(chunk);
  return { run, chunks };
}

export const points = (r: Result) => r.chunks.flatMap((c) => c.points);

/** A small problem of each kind, cheap enough for the reference kernel. */
export function smallSpec(overrides: Partial<SpecInput> & { training?: SpecInput['training'] } = {}): Spec {
  return spec({
    replicas: 3,
    inputs: { kind: 'sphere', d: 5 },
    target: { kind: 'p-spin', p: 2 },
    student: { unit: 'tanh', width: 12 },
    training: { dynamics: 'sgd', batchSize: 16, dt: 0.2, steps: 20 },
    record: { every: 5, testSize: 32, probes: 4, snapshots: [0, 10] },
    ...overrides,
  });
}
