// Downsampled trajectories as a chart needs them: the early, log-spaced dynamics kept, a total cap,
// and the same steps for every replica.
import { expect, it } from 'vitest';
import { finishedSimulation, smallSpec, useService } from './harness.ts';

const service = useService({ worker: true });
const api = service.api;

type Point = { replica: number; step: number };
const stepsOf = (points: Point[], replica: number) => points.filter((p) => p.replica === replica).map((p) => p.step);

it('keeps the early log-spaced steps, caps the total, and gives every replica the same steps', async () => {
  const post = await api().post('/v1/simulations').send(smallSpec({
    replicas: 3,
    training: { dynamics: 'sgd', batchSize: 16, dt: 0.05, steps: 2000 },
    record: { logPoints: 80, testSize: 32, probes: 2 },
  }));
  expect(post.status).toBeLessThan(300);
  const sim = await finishedSimulation(service.app, post.body.id, 180_000);
  expect(sim.status).toBe('completed');
  const all: Point[] = (await api().get(`/v1/simulations/${post.body.id}/trajectory?limit=100000`)).body.points;
  const recorded = stepsOf(all, 0);
  expect(recorded.filter((s) => s < 50).length).toBeGreaterThan(10);

  const ds = (await api().get(`/v1/simulations/${post.body.id}/trajectory?maxPoints=30`)).body;
  expect(ds.downsampled).toBe(true);
  expect(ds.points.length).toBeLessThanOrEqual(30);
  const steps = stepsOf(ds.points, 0);
  expect(stepsOf(ds.points, 1)).toEqual(steps);
  expect(stepsOf(ds.points, 2)).toEqual(steps);
  expect(steps[0]).toBe(0);
  expect(steps[steps.length - 1]).toBe(2000);
  // Log buckets: several points in the first 2.5% of the run, where the recording is densest.
  expect(steps.filter((s) => s > 0 && s < 50).length).toBeGreaterThanOrEqual(3);

  const linear = stepsOf((await api().get(`/v1/simulations/${post.body.id}/trajectory?maxPoints=30&axis=linear`)).body.points, 0);
  expect(linear.filter((s) => s > 0 && s < 50).length).toBeLessThan(steps.filter((s) => s > 0 && s < 50).length);

  const bad = await api().get(`/v1/simulations/${post.body.id}/trajectory?maxPoints=30&axis=sideways`);
  expect(bad.status).toBe(400);
  expect(bad.body.issues.map((i: { path: string }) => i.path)).toEqual(['axis']);
});
