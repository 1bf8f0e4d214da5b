// Birth-death dynamics and frozen parameter groups: rate 0 is plain dynamics bit for bit, births and
// deaths are recorded and reproducible through checkpoints, frozen groups stay put, bad specs are refused.
import { describe, expect, it } from 'vitest';
import { specSchema, type SpecInput } from '@mfsim/contracts';
import { decodeCheckpoint, encodeCheckpoint } from '../src/checkpoint.ts';
import { batchSource } from '../src/dynamics.ts';
import type { Kernel } from '../src/kernel.ts';
import { potentialsReference, referenceKernel } from '../src/kernels/reference.ts';
import { setupProblem } from '../src/problem.ts';
import { simulate } from '../src/simulate.ts';
import type { Chunk } from '../src/types.ts';
import { availableKernels, points, runAll, spec } from './helpers.ts';

const base = (training: Partial<SpecInput['training']> = {}, student: Partial<SpecInput['student']> = {}): SpecInput => ({
  replicas: 2,
  inputs: { kind: 'sphere', d: 4 },
  target: { kind: 'p-spin', p: 2 },
  student: { unit: 'tanh', width: 16, ...student },
  training: { dynamics: 'gd', trainSize: 64, dt: 0.5, steps: 24, ...training },
  record: { every: 6, testSize: 32, probes: 2 },
});

describe('birth-death', async () => {
  const kernels = await availableKernels();
  for (const kernel of kernels) {
    it(`rate 0 equals plain gd bit for bit on ${kernel.name}`, async () => {
      const plain = await runAll(spec(base()), 3, { kernel });
      const zero = await runAll(spec(base({ birthDeath: { rate: 0 } })), 3, { kernel });
      expect(points(zero)).toEqual(points(plain));
      expect(zero.run.state().c).toEqual(plain.run.state().c);
      expect(zero.run.state().w).toEqual(plain.run.state().w);
      expect(zero.chunks.some((c) => c.birthDeath)).toBe(false);
    });
  }

  it('moves particles, records births and deaths per recorded step, and keeps n', async () => {
    const s = spec(base({ birthDeath: { rate: 5 } }));
    const plain = await runAll(spec(base()), 3, { kernel: referenceKernel });
    const bd = await runAll(s, 3, { kernel: referenceKernel });
    const records = bd.chunks.flatMap((c) => c.birthDeath ?? []);
    expect(records.map((r) => r.step)).toEqual([6, 12, 18, 24]);
    const total = records.reduce((t, r) => t + r.births[0] + r.deaths[0] + r.births[1] + r.deaths[1], 0);
    expect(total).toBeGreaterThan(0);
    expect(bd.run.state().c.length).toBe(2 * 16);
    expect(points(bd)).not.toEqual(points(plain));
    // Every particle after a pass is a copy or a descendant: the width never changes, losses stay finite.
    for (const p of points(bd)) expect(Number.isFinite(p.trainLoss)).toBe(true);
  });

  it('the same seed gives the same particles and counts, also after a checkpoint between recorded steps', async () => {
    const s = spec(base({ birthDeath: { rate: 5, every: 2 } }));
    const whole = await runAll(s, 9, { kernel: referenceKernel });
    const again = await runAll(s, 9, { kernel: referenceKernel });
    expect(again.run.state().w).toEqual(whole.run.state().w);

    // Stop at step 8 (not recorded: counts since step 6 are pending), resume through bytes.
    const run = await simulate(s, 9, { kernel: referenceKernel, chunkSteps: 8 });
    const head: Chunk[] = [];
    for await (const chunk of run) {
      head.push(chunk);
      break;
    }
    expect(run.state().step).toBe(8);
    const restored = decodeCheckpoint(encodeCheckpoint(run.state()));
    const rest = await runAll(s, 9, { kernel: referenceKernel, resume: restored });
    expect(rest.run.state().c).toEqual(whole.run.state().c);
    expect(rest.run.state().w).toEqual(whole.run.state().w);
    const recordsWhole = whole.chunks.flatMap((c) => c.birthDeath ?? []);
    const recordsResumed = [...head, ...rest.chunks].flatMap((c) => c.birthDeath ?? []);
    expect(recordsResumed).toEqual(recordsWhole);
  });
});

/** The kernel's potentials at the particles after 6 steps, on step 6's sample, equal the float64 reference to float32 accuracy. */
async function expectPotentialsAsReference(kernel: Kernel, s: ReturnType<typeof spec>, seed: number, what: string) {
  const run = await simulate(s, seed, { kernel, chunkSteps: 6 });
  for await (const chunk of run) {
    void chunk;
    break;
  }
  const st = run.state();
  const p = { R: 2, n: 16, d: 4, c: st.c, w: st.w, b: st.b };
  const problem = setupProblem(s, seed, kernel);
  const batch = batchSource(problem, kernel)(6);
  const V = kernel.potentials!(problem.net, p, batch);
  const ref = potentialsReference(problem.net, p, batch);
  const scale = Math.max(...ref.map(Math.abs));
  expect(scale, what).toBeGreaterThan(0);
  for (let i = 0; i < V.length; i++) expect(Math.abs(V[i] - ref[i]), `${what} V[${i}]`).toBeLessThan(1e-5 * scale);
}

describe('kernel-side potentials', async () => {
  const kernels = (await availableKernels()).filter((k) => k.potentials && k !== referenceKernel);
  for (const kernel of kernels) {
    for (const dynamics of ['gd', 'sgd', 'sde'] as const) {
      it(`${kernel.name} (${dynamics}): V equals the float64 reference to float32 accuracy, and the same particles come out`, async () => {
        const training = dynamics === 'gd' ? {} : { dynamics, batchSize: 16 };
        const s = spec(base({ ...training, birthDeath: { rate: 5 } }, { unit: 'ramp', ramp: { s1: -1, s2: 2, t1: -0.3, t2: 0.4 } }));
        // Potentials at the particles after a few steps, on that step's sample, against the reference.
        await expectPotentialsAsReference(kernel, s, 5, dynamics);
        // Decisions: the kernel's potentials and the host's give the same run, bit for bit.
        const host: Kernel = { name: kernel.name, device: kernel.device, forward: kernel.forward.bind(kernel), step: kernel.step.bind(kernel), pSpin3: kernel.pSpin3?.bind(kernel), sampleInputs: kernel.sampleInputs?.bind(kernel) };
        const withKernel = await runAll(s, 5, { kernel });
        const withHost = await runAll(s, 5, { kernel: host });
        expect(withKernel.run.state().w).toEqual(withHost.run.state().w);
        expect(withKernel.run.state().c).toEqual(withHost.run.state().c);
        const counts = (r: typeof withKernel) => r.chunks.flatMap((c) => c.birthDeath ?? []);
        expect(counts(withKernel)).toEqual(counts(withHost));
        expect(counts(withKernel).some((r) => r.births.some((b) => b > 0) || r.deaths.some((d) => d > 0))).toBe(true);
      });
    }
  }
});

describe('kernel-side potentials of every unit', async () => {
  const kernels = (await availableKernels()).filter((k) => k.potentials && k !== referenceKernel);
  for (const kernel of kernels) {
    it(`${kernel.name}: V of tanh, sigmoid, relu, erf and gaussian units equals the float64 reference to float32 accuracy`, async () => {
      for (const unit of ['tanh', 'sigmoid', 'relu', 'erf', 'gaussian'] as const) {
        await expectPotentialsAsReference(kernel, spec(base({ birthDeath: { rate: 5 } }, { unit })), 7, unit);
      }
    });
  }
});

describe('frozen parameter groups', () => {
  it('c frozen at a constant initial value (MMN) stays there; w moves', async () => {
    const input = base({}, { init: { kind: 'constant', cValue: 1 }, train: { c: false, w: true, b: true } });
    const s = spec({ ...input, record: { ...input.record, snapshots: [0] } });
    const r = await runAll(s, 4, { kernel: referenceKernel });
    expect([...r.run.state().c]).toEqual(new Array(32).fill(1));
    expect(r.run.state().w).not.toEqual(r.chunks[0].snapshots[0].w);
  });

  it('w frozen stays at its initial draw, with temperature noise too', async () => {
    const input = base({ temperature: 0.01 }, { train: { c: true, w: false, b: true } });
    const s = spec({ ...input, record: { ...input.record, snapshots: [0] } });
    const r = await runAll(s, 4, { kernel: referenceKernel });
    expect(r.run.state().w).toEqual(r.chunks[0].snapshots[0].w);
    expect(r.run.state().c).not.toEqual(r.chunks[0].snapshots[0].c);
  });
});

describe('validation names the field', () => {
  const path = (input: SpecInput) => {
    const parsed = specSchema.safeParse(input);
    return parsed.success ? null : parsed.error.issues.map((i) => i.path.join('.'));
  };
  it('refuses a negative rate, birth-death under ntk, and a train that freezes everything', () => {
    expect(path(base({ birthDeath: { rate: -1 } }))).toEqual(['training.birthDeath.rate']);
    expect(path(base({ birthDeath: { rate: 1 } }, { parameterization: 'ntk' }))).toEqual(['training.birthDeath']);
    expect(path(base({}, { train: { c: false, w: false, b: false } }))).toEqual(['student.train']);
    expect(path(base({ birthDeath: { rate: 1, every: 3 } }, { train: { c: false } }))).toBeNull();
  });
});
