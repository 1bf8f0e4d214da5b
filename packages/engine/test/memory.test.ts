// The memory estimate (memory.ts) is what the API refuses specs by: it must not be below what a
// run really takes. Each spec runs in a fresh child process (fixtures/peak-memory.ts) whose peak
// RSS is compared with the estimate. `npm run bench:memory` prints the full matrix and the ratios.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { specSchema } from '@mfsim/contracts';
import { CHUNK_MAX_STEPS, estimateMemory } from '../src/memory.ts';
import { DEFAULT_CHUNK_MAX_STEPS } from '../src/simulate.ts';

const script = fileURLToPath(new URL('./fixtures/peak-memory.ts', import.meta.url));

const spec = (o: { d: number; width: number; replicas: number; batch: number; probes?: number; snapshots?: number[] }) =>
  specSchema.parse({
    replicas: o.replicas,
    inputs: { kind: 'sphere', d: o.d },
    target: { kind: 'p-spin', p: 2 },
    student: { unit: 'tanh', width: o.width },
    training: { dynamics: 'sgd', batchSize: o.batch, dt: 0.01, steps: 200 },
    record: { logPoints: 5, testSize: 16, probes: o.probes ?? 0, snapshots: o.snapshots ?? [] },
  });

function peakOf(s: ReturnType<typeof spec>): { peak: number; kernel: string } {
  const out = execFileSync(process.execPath, ['--import', 'tsx', script, JSON.stringify(s)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').pop()!) as { peak: number; kernel: string };
}

describe('memory estimate', () => {
  it.each([
    ['small, several replicas, probes', { d: 16, width: 1000, replicas: 4, batch: 64, probes: 64 }],
    ['small, snapshots', { d: 32, width: 20_000, replicas: 2, batch: 8, snapshots: [0, 50, 100, 150, 200] }],
    ['large width', { d: 50, width: 200_000, replicas: 1, batch: 1 }],
  ])('is not below the measured peak RSS: %s', (_name, o) => {
    const s = spec(o);
    const { peak } = peakOf(s);
    expect(estimateMemory(s).bytes).toBeGreaterThanOrEqual(peak);
  }, 300_000);

  it('counts each kernel thread\'s workspace and the snapshots one chunk carries', () => {
    const s = spec({ d: 50, width: 200_000, replicas: 1, batch: 1, snapshots: [0, 100, 200] });
    const one = estimateMemory(s, { threads: 1 });
    const four = estimateMemory(s, { threads: 4 });
    expect(four.parts.workspace).toBe(4 * one.parts.workspace);
    expect(one.parts.snapshots).toBe(3 * 3 * 200_000 * 52 * 4);
    expect(CHUNK_MAX_STEPS).toBe(DEFAULT_CHUNK_MAX_STEPS);
  });
});
