import { describe, expect, it } from 'vitest';
import { expandSweep, sweepChildRole, sweepRequestSchema, sweepSeriesKey } from '../src/index.ts';

const base = {
  seed: 4, replicas: 2, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
  student: { unit: 'tanh', width: 8 }, training: { dynamics: 'gd', trainSize: 32, dt: 0.1, steps: 20 }, record: { every: 10, testSize: 32, probes: 2 },
};

describe('a sweep reference', () => {
  it('adds one reference child per series, at the reference width and replicas, after the grid', () => {
    const request = sweepRequestSchema.parse({
      name: 'ref', base, grid: { 'student.width': [8, 16], 'training.dt': [0.1, 0.2] }, reference: { width: 256, replicas: 3 },
    });
    const e = expandSweep(request, 1);
    if (!e.ok) throw new Error(JSON.stringify(e.issues));
    expect(e.points).toHaveLength(4 + 2);
    const grid = e.points.slice(0, 4);
    const refs = e.points.slice(4);
    expect(grid.every((p) => sweepChildRole(p.point) === 'grid')).toBe(true);
    expect(refs.map((p) => sweepChildRole(p.point))).toEqual(['reference', 'reference']);
    expect(refs.map((p) => [p.spec.student.width, p.spec.replicas, p.spec.training.dt, p.spec.seed])).toEqual([[256, 3, 0.1, 4], [256, 3, 0.2, 4]]);
    // each reference belongs to its series (the role is not a grid value)
    expect(refs.map((p) => sweepSeriesKey(p.point))).toEqual(['{"training.dt":0.1}', '{"training.dt":0.2}']);
    expect(refs[0].spec.name).toBe('ref width=256 dt=0.1 seed=4 reference');
  });

  it('refuses a reference not wider than every grid width, or with no replicas, naming the field', () => {
    const narrow = expandSweep(sweepRequestSchema.parse({ base, grid: { 'student.width': [8, 64] }, reference: { width: 64, replicas: 2 } }), 1);
    expect(narrow.ok).toBe(false);
    if (!narrow.ok) expect(narrow.issues).toEqual([{ path: 'reference.width', message: expect.stringMatching(/larger than every width of the grid \(the widest is 64\)/) }]);
    const bad = sweepRequestSchema.safeParse({ base, grid: { 'student.width': [8] }, reference: { width: 64, replicas: 0 } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0].path).toEqual(['reference', 'replicas']);
  });
});
