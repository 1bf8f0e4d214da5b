// Every kernel gives the reference kernel's numbers to float32 accuracy, for every unit and dynamics.
import { describe, expect, it } from 'vitest';
import { DYNAMICS, UNITS } from '@mfsim/contracts';
import { referenceKernel } from '../src/kernels/reference.ts';
import { availableKernels, points, runAll, spec } from './helpers.ts';

// float32 accuracy after a few steps: |a - b| <= 1e-4 (|b| + scale), scale = 1e-2 for near-zero values.
const close = (a: ArrayLike<number>, b: ArrayLike<number>, scale: number) => {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (Math.abs(b[i]) + scale));
  if (process.env.MFSIM_SHOW_AGREEMENT) console.log(worst.toExponential(2));
  expect(worst).toBeLessThan(1e-4);
};

describe('kernels agree with the reference', async () => {
  const others = (await availableKernels()).filter((k) => k.name !== 'reference');
  for (const unit of UNITS) {
    for (const dynamics of DYNAMICS) {
      it(`${unit}, ${dynamics}`, async () => {
        const s = spec({
          replicas: 2,
          inputs: { kind: 'gaussian', d: 4 },
          target: { kind: 'teacher', unit: 'tanh', width: 3 },
          student: { unit, width: 10, parameterization: dynamics === 'sde' ? 'ntk' : 'mean-field', bandwidth: 1.5, ...(unit === 'ramp' && { ramp: { s1: -1, s2: 2, t1: -0.5, t2: 0.6 } }) },
          training: {
            dynamics, dt: 0.05, steps: 8,
            ...(dynamics === 'gd' ? { trainSize: 20 } : { trainSize: 20, batchSize: 6 }),
            weightDecay: dynamics === 'minibatch' ? 0.1 : 0,
            temperature: dynamics === 'sgd' ? 1e-3 : 0,
          },
          record: { every: 2, testSize: 16, probes: 3, snapshots: [8] },
        });
        const ref = await runAll(s, 21, { kernel: referenceKernel });
        const refPoints = points(ref);
        expect(refPoints.every((p) => p.trainLoss !== null && p.testLoss !== null)).toBe(true);
        for (const kernel of others) {
          const got = await runAll(s, 21, { kernel });
          const gotPoints = points(got);
          expect(gotPoints.map((p) => p.step)).toEqual(refPoints.map((p) => p.step));
          close(gotPoints.map((p) => p.trainLoss!), refPoints.map((p) => p.trainLoss!), 1e-2);
          close(gotPoints.map((p) => p.testLoss!), refPoints.map((p) => p.testLoss!), 1e-2);
          close(got.chunks.flatMap((c) => [...c.probes[0]?.values ?? []]), ref.chunks.flatMap((c) => [...c.probes[0]?.values ?? []]), 1e-2);
          const a = got.run.state();
          const b = ref.run.state();
          close(a.c, b.c, 1e-2);
          close(a.w, b.w, 1e-2);
          close(a.b, b.b, 1e-2);
        }
      });
    }
  }
});
