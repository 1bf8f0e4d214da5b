// Initial particles of science.md, for R replicas of width n.
import type { Spec } from '@mfsim/contracts';
import type { Particles } from './kernel.ts';
import { drawInputs } from './inputs.ts';
import { RandomStream, STREAMS } from './rng.ts';

/**
 * random (per replica r, stream `init` at step 0): c ~ cScale N(0, 1) (lane 0),
 * w ~ wScale N(0, I/d) (lane 1), b ~ bScale N(0, 1) (lane 2, not drawn when bScale = 0);
 * gaussian units: centres z = wScale * (a draw from the input law) (lane 1), b = 0.
 * explicit: the same particles in every replica.
 * constant (Mei-Montanari-Nguyen): c_i = cValue, w and b drawn as for random (lanes 1, 2).
 */
export function initialParticles(spec: Spec, R: number, d: number, seed: number): Particles {
  const n = spec.student.width;
  const c = new Float32Array(R * n);
  const w = new Float32Array(R * n * d);
  const b = new Float32Array(R * n);
  const init = spec.student.init;
  const gaussian = spec.student.unit === 'gaussian';
  for (let r = 0; r < R; r++) {
    const cr = c.subarray(r * n, (r + 1) * n);
    const wr = w.subarray(r * n * d, (r + 1) * n * d);
    const br = b.subarray(r * n, (r + 1) * n);
    if (init.kind === 'explicit') {
      cr.set(init.c);
      init.w.forEach((row, i) => wr.set(row, i * d));
      if (init.b && !gaussian) br.set(init.b);
      continue;
    }
    if (init.kind === 'constant') cr.fill(init.cValue);
    else new RandomStream(seed, STREAMS.init, r, 0, 0).fillNormal(cr, init.cScale);
    if (gaussian) {
      const z = drawInputs(spec.inputs, new RandomStream(seed, STREAMS.init, r, 0, 1), n).x;
      for (let k = 0; k < z.length; k++) wr[k] = init.wScale * z[k];
    } else {
      new RandomStream(seed, STREAMS.init, r, 0, 1).fillNormal(wr, init.wScale / Math.sqrt(d));
      if (init.bScale > 0) new RandomStream(seed, STREAMS.init, r, 0, 2).fillNormal(br, init.bScale);
    }
  }
  return { R, n, d, c, w, b };
}
