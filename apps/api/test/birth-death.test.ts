// Birth-death runs end to end: submitted, run by a worker, their births and deaths served per recorded
// step; bad birth-death, frozen-group and ramp specs refused with a 400 naming the field, nothing created.
import { expect, it } from 'vitest';
import { finishedSimulation, useService, smallSpec } from './harness.ts';

const { held, api } = useService({ worker: true });

it('serves births and deaths per recorded step and replica', async () => {
  const post = await api().post('/v1/simulations').send(smallSpec({
    replicas: 2,
    student: { unit: 'tanh', width: 16 },
    training: { dynamics: 'gd', trainSize: 64, dt: 0.5, steps: 40, birthDeath: { rate: 5 } },
    record: { every: 10, testSize: 32, probes: 2 },
  }));
  expect(post.status).toBeLessThan(300);
  const sim = await finishedSimulation(held.service!.app, post.body.id, 180_000);
  expect(sim.status).toBe('completed');
  const reply = await api().get(`/v1/simulations/${post.body.id}/birth-death`);
  expect(reply.status).toBe(200);
  expect(reply.body.steps.map((s: { step: number }) => s.step)).toEqual([10, 20, 30, 40]);
  for (const s of reply.body.steps) expect(s.births).toHaveLength(2);
  const events = reply.body.steps.reduce((t: number, s: { births: number[]; deaths: number[] }) => t + s.births[0] + s.deaths[0], 0);
  expect(events).toBeGreaterThan(0);
}, 240_000); // it waits up to 180 s for the run on a loaded machine

it('refuses bad birth-death, frozen-group and ramp specs with a 400 naming the field', async () => {
  // Nothing created: the newest runs' ids are the same after. Compared by id, not by whole rows: a
  // run queued by an earlier test file (one without a worker) may be moving on this file's worker.
  const newest = async () => (await api().get('/v1/simulations?limit=100')).body.items.map((s: { id: string }) => s.id);
  const before = await newest();
  const cases: [Record<string, unknown>, string][] = [
    [{ training: { dynamics: 'gd', dt: 0.1, steps: 10, birthDeath: { rate: -1 } } }, 'training.birthDeath.rate'],
    [{ student: { unit: 'tanh', width: 4, parameterization: 'ntk' }, training: { dynamics: 'gd', dt: 0.1, steps: 10, birthDeath: { rate: 1 } } }, 'training.birthDeath'],
    [{ student: { unit: 'tanh', width: 4, train: { c: false, w: false, b: false } } }, 'student.train'],
    [{ student: { unit: 'ramp', width: 4, ramp: { s1: 0, s2: 1, t1: 1, t2: 1 } } }, 'student.ramp.t2'],
    [{ student: { unit: 'ramp', width: 4 } }, 'student.ramp'],
  ];
  for (const [overrides, path] of cases) {
    const res = await api().post('/v1/simulations').send(smallSpec(overrides));
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
  }
  expect(await newest()).toEqual(before);
});
