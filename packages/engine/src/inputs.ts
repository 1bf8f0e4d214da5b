// The input laws of science.md: draw x in R^d (and, for labelled laws, y).
import type { Inputs } from '@mfsim/contracts';
import { RandomStream } from './rng.ts';

/** count points: x [count, d]; y [count] when the law carries labels. */
export interface Points {
  count: number;
  x: Float32Array;
  y?: Float32Array;
}

/** A dataset as float32 rows: x [count, d], y [count]. */
export function toPoints(sample: { x: number[][]; y: number[] }): Points & { y: Float32Array } {
  const count = sample.x.length;
  const d = sample.x[0]?.length ?? 0;
  const x = new Float32Array(count * d);
  sample.x.forEach((row, i) => x.set(row, i * d));
  return { count, x, y: Float32Array.from(sample.y) };
}

/**
 * Draws count points from the law. Each point uses the stream in order (label first, then its
 * coordinates), so the first k points of a larger draw equal a draw of k.
 * dataset: the empirical law of the training set (uniform with replacement).
 */
export function drawInputs(inputs: Inputs, stream: RandomStream, count: number): Points {
  if (inputs.kind === 'dataset') {
    if (!inputs.train) throw new Error('dataset inputs need inputs.train inline');
    const train = toPoints(inputs.train);
    const d = train.x.length / train.count;
    const x = new Float32Array(count * d);
    const y = new Float32Array(count);
    for (let i = 0; i < count; i++) {
      const j = stream.below(train.count);
      x.set(train.x.subarray(j * d, (j + 1) * d), i * d);
      y[i] = train.y[j];
    }
    return { count, x, y };
  }
  const d = inputs.d;
  const x = new Float32Array(count * d);
  const g = new Float64Array(d);
  let y: Float32Array | undefined;
  if (inputs.kind === 'isotropic-gaussians') y = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const row = x.subarray(i * d, (i + 1) * d);
    switch (inputs.kind) {
      case 'gaussian':
        stream.fillNormal(row);
        break;
      case 'sphere': {
        // radius sqrt(d): a normalised Gaussian vector
        stream.fillNormal(g);
        let s = 0;
        for (let k = 0; k < d; k++) s += g[k] * g[k];
        const scale = Math.sqrt(d / s);
        for (let k = 0; k < d; k++) row[k] = g[k] * scale;
        break;
      }
      case 'uniform':
        for (let k = 0; k < d; k++) row[k] = inputs.a * (2 * stream.uniform() - 1);
        break;
      case 'isotropic-gaussians': {
        // y = +-1 with probability 1/2, x | y ~ N(0, (1 + y Delta)^2 I_d)  (Mei, Montanari & Nguyen)
        const label = stream.uniform() < 0.5 ? 1 : -1;
        y![i] = label;
        stream.fillNormal(row, 1 + label * inputs.delta);
        break;
      }
    }
  }
  return { count, x, y };
}
