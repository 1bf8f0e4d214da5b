import { describe, expect, it } from 'vitest';
import { recordedSteps } from '../src/schedule.ts';
import { points, runAll, smallSpec } from './helpers.ts';
import { referenceKernel } from '../src/kernels/reference.ts';

const sched = (steps: number, record: Record<string, unknown>) =>
  recordedSteps({ training: { steps } as never, record: { testSize: 1, probes: 0, snapshots: [], ...record } });

describe('recording schedule', () => {
  it('explicit steps, always with the first and last', () => {
    expect(sched(100, { steps: [50, 10, 10] })).toEqual([0, 10, 50, 100]);
  });
  it('every N, with the last step', () => {
    expect(sched(10, { every: 4 })).toEqual([0, 4, 8, 10]);
    expect(sched(8, { every: 4 })).toEqual([0, 4, 8]);
  });
  it('logPoints: unique, log-spaced integers from 1 to K', () => {
    const s = sched(10_000, { logPoints: 5 });
    expect(s).toEqual([0, 1, 22, 464, 10_000]);
    const many = sched(1000, { logPoints: 60 });
    expect(many[0]).toBe(0);
    expect(many[1]).toBe(1);
    expect(many.at(-1)).toBe(1000);
    expect(new Set(many).size).toBe(many.length);
    expect(many.length).toBeLessThanOrEqual(60);
    expect(many.length).toBeGreaterThan(40);
    expect(sched(3, { logPoints: 10 })).toEqual([0, 1, 2, 3]);
    expect(sched(7, { logPoints: 2 })).toEqual([0, 7]);
  });
  it('defaults to 50 log-spaced points, capped at steps + 1', () => {
    expect(sched(20, {})).toEqual(Array.from({ length: 21 }, (_, i) => i));
    const s = sched(3000, {});
    expect(s.length).toBeLessThanOrEqual(50);
    expect(s.length).toBeGreaterThan(35);
  });
  it('a run records exactly the scheduled steps, snapshots where asked', async () => {
    const s = smallSpec({ record: { steps: [3, 7], testSize: 8, probes: 2, snapshots: [7, 20] } });
    const r = await runAll(s, 1, { kernel: referenceKernel, chunkSteps: 4 });
    expect([...new Set(points(r).map((p) => p.step))]).toEqual([0, 3, 7, 20]);
    expect(points(r).map((p) => p.time)).toEqual(points(r).map((p) => p.step * 0.2));
    expect(r.chunks.flatMap((c) => c.probes.map((p) => p.step))).toEqual([0, 3, 7, 20]);
    expect(r.chunks.flatMap((c) => c.probes.map((p) => p.values.length))).toEqual([6, 6, 6, 6]);
    expect(r.chunks.flatMap((c) => c.snapshots.map((p) => p.step))).toEqual([7, 20]);
    // chunks tile (0, K] and each point sits in its chunk
    expect(r.chunks.map((c) => [c.fromStep, c.toStep])).toEqual([[0, 4], [4, 8], [8, 12], [12, 16], [16, 20]]);
    for (const c of r.chunks) for (const p of c.points) expect(p.step === 0 || (p.step > c.fromStep && p.step <= c.toStep)).toBe(true);
  });
});
