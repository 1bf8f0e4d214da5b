// A page that opens a run's event stream gets its history in order, then live: progress never jumps back.
import { expect, it } from 'vitest';
import { finishedSimulation, smallSpec, sseEvents, sseText, useService } from './harness.ts';

const service = useService({ worker: true });
const api = service.api;

it('replays a finished run\'s events in order, its progress never going back, ending with its final status', async () => {
  const post = await api().post('/v1/simulations').send(smallSpec({ training: { dynamics: 'sgd', batchSize: 32, dt: 0.1, steps: 3000 } }));
  expect(post.status).toBeLessThan(300);
  const done = await finishedSimulation(service.app, post.body.id, 180_000);
  expect(done.status).toBe('completed');

  const res = await api().get(`/v1/simulations/${post.body.id}/events`).buffer(true).parse(sseText);
  const events = sseEvents(res.body as string);
  // Every event carries the steps done: from the start of the run up, never back.
  const steps = events.map((e) => e.data.stepsDone as number);
  expect(steps.length).toBeGreaterThan(2);
  expect(steps.every((s) => typeof s === 'number')).toBe(true);
  expect(steps).toEqual([...steps].sort((a, b) => a - b));
  expect(events[0]).toMatchObject({ type: 'status', data: { status: 'running', stepsDone: 0 } });
  expect(events.at(-1)).toMatchObject({ type: 'status', data: { status: 'completed' } });
}, 240_000); // it waits up to 180 s for the run on a loaded machine
