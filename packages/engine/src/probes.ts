// The probe inputs of a run, without running it: the same draw as setupProblem (stream `probes`),
// so the API can hand them out beside the recorded outputs. Pure TypeScript, no kernel.
import { inputDimension, type Spec } from '@mfsim/contracts';
import { drawInputs } from './inputs.ts';
import { RandomStream, STREAMS } from './rng.ts';

/** spec, seed -> the probe inputs x [probes, d], or null when the inputs are a stored dataset not inline. */
export function probeInputs(spec: Spec, seed: number): { count: number; d: number; x: Float32Array } | null {
  const d = inputDimension(spec.inputs);
  if (d === undefined || (spec.inputs.kind === 'dataset' && !spec.inputs.train)) return null;
  const count = spec.record.probes;
  return { count, d, x: drawInputs(spec.inputs, new RandomStream(seed, STREAMS.probes, 0, 0), count).x };
}
