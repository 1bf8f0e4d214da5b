// Same spec + seed + kernel: the same numbers, however the run is chunked, stopped and resumed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeCheckpoint, encodeCheckpoint } from '../src/checkpoint.ts';
import { loadTfjsKernel } from '../src/kernels/tfjs.ts';
import { simulate } from '../src/simulate.ts';
import type { Checkpoint } from '../src/types.ts';
import { points, runAll, smallSpec } from './helpers.ts';

const DYNAMICS = [
  { dynamics: 'gd', dt: 0.2, steps: 24, trainSize: 40 },
  { dynamics: 'sgd', dt: 0.2, steps: 24, batchSize: 16, temperature: 1e-3 },
  { dynamics: 'minibatch', dt: 0.2, steps: 24, trainSize: 40, batchSize: 12, weightDecay: 0.01 },
  { dynamics: 'sde', dt: 0.2, steps: 24, trainSize: 40, batchSize: 8 },
] as const;

const specOf = (training: (typeof DYNAMICS)[number]) => smallSpec({ training: { ...training } });

describe('determinism', async () => {
  const kernel = await loadTfjsKernel('wasm');

  for (const training of DYNAMICS) {
    it(`${training.dynamics}: identical reruns, chunkings, and resumes from every chunk boundary`, async () => {
      const s = specOf(training);
      const whole = await runAll(s, 5, { kernel, chunkSteps: 1000 });
      const final = whole.run.state();
      expect(final.step).toBe(24);

      const again = await runAll(s, 5, { kernel, chunkSteps: 1000 });
      expect(points(again)).toEqual(points(whole));
      expect(again.run.state()).toEqual(final);

      for (const chunkSteps of [1, 7]) {
        const chunked = await runAll(s, 5, { kernel, chunkSteps });
        expect(points(chunked)).toEqual(points(whole));
        expect(chunked.chunks.flatMap((c) => c.probes)).toEqual(whole.chunks.flatMap((c) => c.probes));
        expect(chunked.chunks.flatMap((c) => c.snapshots)).toEqual(whole.chunks.flatMap((c) => c.snapshots));
        expect(chunked.run.state()).toEqual(final);
      }

      // Checkpoint after each chunk of 5, resume through bytes, and finish.
      const run = await simulate(s, 5, { kernel, chunkSteps: 5 });
      const checkpoints: Checkpoint[] = [];
      for await (const chunk of run) {
        expect(chunk.toStep - chunk.fromStep).toBeLessThanOrEqual(5);
        checkpoints.push(run.state());
      }
      for (const cp of checkpoints) {
        const restored = decodeCheckpoint(encodeCheckpoint(cp));
        expect(restored).toEqual(cp);
        const rest = await runAll(s, 5, { kernel, resume: restored, chunkSteps: 3 });
        expect(rest.run.state()).toEqual(final);
        // The resumed run records exactly the steps after the checkpoint.
        expect(points(rest)).toEqual(points(whole).filter((p) => p.step > cp.step));
      }
    }); // the suite's 60 s (vitest.config.ts): a loaded machine is not held to 30 s
  }

  it('different seeds give different runs; replicas differ', async () => {
    const s = specOf(DYNAMICS[1]);
    const a = await runAll(s, 1, { kernel });
    const b = await runAll(s, 2, { kernel });
    expect(points(a)).not.toEqual(points(b));
    const last = points(a).filter((p) => p.step === 24);
    expect(new Set(last.map((p) => p.testLoss)).size).toBe(3);
  });

  it('resumes in a new process to the identical final state', async () => {
    const s = specOf(DYNAMICS[2]);
    const whole = await runAll(s, 9, { kernel });
    const run = await simulate(s, 9, { kernel, chunkSteps: 10 });
    for await (const _chunk of run) break;
    const dir = mkdtempSync(path.join(tmpdir(), 'mfsim-resume-'));
    let resumed: ReturnType<typeof decodeCheckpoint>;
    try {
      writeFileSync(path.join(dir, 'spec.json'), JSON.stringify(s));
      writeFileSync(path.join(dir, 'checkpoint.bin'), encodeCheckpoint(run.state()));
      const script = fileURLToPath(new URL('./fixtures/resume.ts', import.meta.url));
      execFileSync(process.execPath, ['--import', 'tsx', script, dir, '9'], { stdio: 'pipe' });
      resumed = decodeCheckpoint(new Uint8Array(readFileSync(path.join(dir, 'final.bin'))));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(resumed.step).toBe(24);
    expect(resumed.c).toEqual(whole.run.state().c);
    expect(resumed.w).toEqual(whole.run.state().w);
    expect(resumed.b).toEqual(whole.run.state().b);
  }, 120_000); // a child process (node + tsx) on a loaded 2-core machine: 4.3 s measured at load ~25
});
