// Synthetic sweep records for the benchmark: loss ~ C n^-alpha with log-normal replica noise,
// outputs ~ f(x) + noise / sqrt(n).
import { createRandom, type SweepPoint } from '../src/index.ts';

export function syntheticSweep(widths: number[], replicas: number, times: number, probes: number, seed = 1): SweepPoint[] {
  const random = createRandom(seed);
  return widths.map((width) => {
    const steps = Array.from({ length: times }, (_, t) => t * 10);
    const testLosses = Array.from({ length: replicas }, () =>
      steps.map((step) => (1 + 1 / (1 + step)) * width ** -1 * Math.exp(0.2 * random.normal())),
    );
    const probeOutputs = steps.map(() => {
      const values = new Float32Array(replicas * probes);
      for (let i = 0; i < values.length; i++) values[i] = Math.sin(i % probes) + random.normal() / Math.sqrt(width);
      return values;
    });
    return { width, records: { steps, times: steps.map((s) => s * 0.01), testLosses, probeOutputs } };
  });
}
