import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { insertSimulationUnchecked } from './unchecked.ts';
import { finishedSimulation, smallSpec, useService } from './harness.ts';

const golden = JSON.parse(readFileSync(new URL('../../../shared/golden/gd-cases.json', import.meta.url), 'utf8'));

const service = useService({ memoryBudgetBytes: 1024 ** 3, worker: true });
const api = service.api;

async function counts() {
  const rows = await service.deps.db.prisma.simulation.count();
  const jobs = await service.deps.queues.cpu.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
  const gpuJobs = await service.deps.queues.gpu.getJobCountByTypes('waiting', 'active', 'delayed', 'prioritized', 'completed', 'failed');
  return { rows, jobs: jobs + gpuJobs };
}

// Runs wait on the in-process worker: generous deadlines for a loaded 2-core machine, and the
// tests that wait get the time for them (vitest's default here is 60 s: vitest.config.ts).
const waitUntilFinished = (id: string, timeoutMs = 120_000) => finishedSimulation(service.app, id, timeoutMs);

describe('health', () => {
  it('answers /healthz and /readyz with both dependencies up', async () => {
    expect((await api().get('/healthz')).body).toEqual({ status: 'ok' });
    const ready = await api().get('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ready', postgres: true, redis: true });
  });

  it('serves an OpenAPI document generated from the contracts', async () => {
    const r = await api().get('/openapi.json');
    expect(r.status).toBe(200);
    expect(r.body.openapi).toMatch(/^3\./);
    expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(['/v1/simulations', '/v1/simulations/{id}/trajectory']));
    expect(r.body.components.schemas.SpecInput.properties.student).toBeDefined();
  });
});

describe('submitting and running a simulation', () => {
  it('runs a submitted spec to completed, with every recorded step and a falling loss', async () => {
    const post = await api().post('/v1/simulations').send(smallSpec());
    expect(post.status).toBe(201);
    expect(post.body).toMatchObject({ status: 'queued', progress: 0, seed: 7 });
    expect(post.headers.location).toBe(`/v1/simulations/${post.body.id}`);

    const done = await waitUntilFinished(post.body.id);
    expect(done.status).toBe('completed');
    expect(done.progress).toBe(1);
    expect(done.backend).toBeTruthy();
    expect(done.startedAt).toBeTruthy();
    expect(done.finishedAt).toBeTruthy();

    const traj = await api().get(`/v1/simulations/${post.body.id}/trajectory?replica=0`);
    expect(traj.status).toBe(200);
    const steps = traj.body.points.map((p: { step: number }) => p.step);
    expect(steps).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
    const first = traj.body.points[0];
    const last = traj.body.points.at(-1);
    expect(last.time).toBeCloseTo(200 * 0.2, 10);
    expect(last.testLoss).toBeLessThan(first.testLoss / 2);

    const all = await api().get(`/v1/simulations/${post.body.id}/trajectory`);
    expect(all.body.points).toHaveLength(2 * 11);
  }, 180_000);

  it('reproduces the golden gd case through the API', async () => {
    for (const { spec, expected } of golden) {
      const post = await api().post('/v1/simulations').send(spec);
      expect(post.status).toBe(201);
      expect((await waitUntilFinished(post.body.id)).status).toBe('completed');
      const { points } = (await api().get(`/v1/simulations/${post.body.id}/trajectory?replica=0`)).body;
      expect(points.map((p: { step: number }) => p.step)).toEqual(expected.steps);
      points.forEach((p: { trainLoss: number; testLoss: number }, i: number) => {
        expect(Math.abs(p.trainLoss / expected.trainLoss[i] - 1)).toBeLessThan(1e-3);
        expect(Math.abs(p.testLoss / expected.testLoss[i] - 1)).toBeLessThan(1e-3);
      });
    }
  }, 180_000);

  it('ends a run whose stored spec the engine cannot run as failed, with a readable message', async () => {
    const spec = smallSpec();
    // Written straight to the database, past the API's validation: as a spec stored by an older version.
    const id = await insertSimulationUnchecked(service.deps, { ...spec, training: { ...spec.training, dt: 'fast' } });
    const done = await waitUntilFinished(id);
    expect(done.status).toBe('failed');
    expect(done.error).toMatch(/training\.dt/);
  }, 180_000);

  it('marks a run whose loss blows up as diverged, keeping the last finite values', async () => {
    const post = await api().post('/v1/simulations').send(
      smallSpec({ training: { dynamics: 'gd', trainSize: 64, dt: 1e4, steps: 100 }, record: { every: 1, testSize: 64, probes: 0 } }),
    );
    const done = await waitUntilFinished(post.body.id);
    expect(done.status).toBe('diverged');
    expect(done.divergedAtStep).toBeGreaterThan(0);
    const { points } = (await api().get(`/v1/simulations/${post.body.id}/trajectory?replica=0`)).body;
    expect(points[0].trainLoss).toEqual(expect.any(Number));
    for (const p of points) expect(p.trainLoss === null || Number.isFinite(p.trainLoss)).toBe(true);
  }, 180_000);
});

describe('reading', () => {
  it('answers 404 for unknown and malformed ids', async () => {
    for (const path of ['/v1/simulations/6f1c2b7e-0000-4000-8000-000000000000', '/v1/simulations/not-an-id', '/v1/simulations/not-an-id/trajectory']) {
      const r = await api().get(path);
      expect(r.status).toBe(404);
      expect(r.body.message).toMatch(/not found/);
    }
  });

  it('pages through simulations newest first with a cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const spec = smallSpec({ name: `page ${i}`, training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 2 }, record: { every: 1 } });
      const r = await api().post('/v1/simulations').send(spec);
      expect(r.status).toBe(201);
      ids.push(r.body.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const r: request.Response = await api().get('/v1/simulations').query({ limit: 2, ...(cursor && { cursor }) });
      expect(r.status).toBe(200);
      expect(r.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...r.body.items.map((s: { id: string }) => s.id));
      cursor = r.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    // The three just made are the newest, in reverse order of creation.
    expect(seen.slice(0, 3)).toEqual([...ids].reverse());
    expect((await api().get('/v1/simulations').query({ cursor: 'garbage' })).status).toBe(400);
  });
});

describe('bad input', () => {
  const cases: [string, unknown, string[]][] = [
    ['width 0', smallSpec({ student: { unit: 'tanh', width: 0 } }), ['student.width']],
    ['negative dt', smallSpec({ training: { dynamics: 'sgd', batchSize: 8, dt: -0.1, steps: 10 } }), ['training.dt']],
    ['NaN as a string', smallSpec({ training: { dynamics: 'sgd', batchSize: 8, dt: 'NaN', steps: 10 } }), ['training.dt']],
    ['wrong type', smallSpec({ replicas: 'many' }), ['replicas']],
    ['unknown field', { ...smallSpec(), colour: 'blue' }, ['colour']],
    ['unknown unit', smallSpec({ student: { unit: 'softmax', width: 8 } }), ['student.unit']],
    ['missing target', { ...smallSpec(), target: undefined }, ['target']],
    ['record step past the end', smallSpec({ record: { steps: [0, 5000] } }), ['record.steps.1']],
    ['several at once', smallSpec({ student: { unit: 'tanh', width: -1 }, replicas: 0 }), ['student.width', 'replicas']],
    ['too large for the memory budget', smallSpec({ replicas: 1024, student: { unit: 'tanh', width: 1_000_000 } }), ['student.width']],
  ];

  it.each(cases)('%s: 400 naming the field, nothing written or queued', async (_name, body, fields) => {
    const before = await counts();
    const r = await api().post('/v1/simulations').send(body as object);
    expect(r.status).toBe(400);
    expect(r.body.statusCode).toBe(400);
    const paths = r.body.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining(fields));
    expect(await counts()).toEqual(before);
  });

  it('answers malformed JSON with 400 and writes nothing', async () => {
    const before = await counts();
    const r = await api().post('/v1/simulations').set('content-type', 'application/json').send('{"seed": 1,');
    expect(r.status).toBe(400);
    expect(r.body.issues[0].path).toBe('(body)');
    expect(await counts()).toEqual(before);
  });

  it('refuses resources.gpu "required" while no GPU worker has registered', async () => {
    const r = await api().post('/v1/simulations').send(smallSpec({ resources: { gpu: 'required' } }));
    expect(r.status).toBe(400);
    expect(r.body.issues[0].path).toBe('resources.gpu');
  });
});
