// A Redis that restarts without persistence loses every queued job while Postgres still says
// `queued`: the API queues such simulations again, sweeps' children as a flow with its aggregation.
import { afterAll, beforeAll, expect, it } from 'vitest';
import request from 'supertest';
import { openSweepQueue, redisConnection } from '@mfsim/queue';
import { recoverLostJobs } from '../src/recovery.ts';
import { finishedSimulation, smallSpec, startService, startTestWorker, waitFor } from './harness.ts';

let service: Awaited<ReturnType<typeof startService>>;
const sweeps = openSweepQueue(redisConnection());
const api = () => request(service.app.server);

beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  await sweeps.close();
  await service?.close();
});

it('queues again, once, the simulations and sweep children whose jobs Redis lost; they then run to the end', async () => {
  // Nothing runs yet: the jobs wait in Redis.
  const sim = (await api().post('/v1/simulations').send(smallSpec({ name: 'lost alone' }))).body;
  const sweep = (await api().post('/v1/sweeps').send({ name: 'lost sweep', base: smallSpec(), grid: { 'student.width': [8, 16] }, replicas: 2 })).body;
  expect(sim.status).toBe('queued');
  expect(sweep.children).toHaveLength(2);
  const children: string[] = sweep.children.map((c: { simulationId: string }) => c.simulationId);
  const ours = (r: { simulations: string[]; sweeps: string[] }) => ({
    simulations: r.simulations.filter((id) => [sim.id, ...children].includes(id)).sort(),
    sweeps: r.sweeps.filter((id) => id === sweep.id),
  });
  // (Other tests' leftovers in the shared test database may be queued again too: only ours count.)
  expect(ours(await recoverLostJobs(service.deps, { settleMs: 10 }))).toEqual({ simulations: [], sweeps: [] });

  // Redis loses the queues (as a restart without persistence does).
  for (const q of [...Object.values(service.deps.queues), sweeps]) await q.obliterate({ force: true });
  expect(await service.deps.queues.cpu.getJob(sim.id)).toBeUndefined();

  expect(ours(await recoverLostJobs(service.deps, { settleMs: 10 }))).toEqual({ simulations: [sim.id, ...children].sort(), sweeps: [sweep.id] });
  // Queued once: a second look finds nothing of ours lost.
  expect(ours(await recoverLostJobs(service.deps, { settleMs: 10 }))).toEqual({ simulations: [], sweeps: [] });

  const worker = await startTestWorker();
  try {
    // Waits on the worker: generous deadlines for a loaded 2-core machine.
    const done = await finishedSimulation(service.app, sim.id, 120_000);
    expect(done.status).toBe('completed');
    const aggregated = await waitFor(async () => {
      const s = (await api().get(`/v1/sweeps/${sweep.id}`)).body;
      return s.status === 'completed' ? s : undefined;
    }, 180_000, 'the recovered sweep');
    expect(aggregated.partial).toBe(false);
    const stats = (await api().get(`/v1/sweeps/${sweep.id}/statistics`)).body;
    expect(stats.series[0].byWidth.map((w: { width: number }) => w.width)).toEqual([8, 16]);
  } finally {
    await worker.close();
  }
}, 360_000);
