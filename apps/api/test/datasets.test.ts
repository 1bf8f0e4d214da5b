import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { finishedSimulation, useService } from './harness.ts';

const [golden] = JSON.parse(readFileSync(new URL('../../../shared/golden/gd-cases.json', import.meta.url), 'utf8'));

const service = useService({ worker: true });
const api = service.api;

describe('stored datasets', () => {
  it('runs the golden case from a stored dataset to the same losses as inline', async () => {
    const { train, test } = golden.spec.inputs;
    const up = await api().post('/v1/datasets').send({ name: 'golden tanh', train, test });
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: 'golden tanh', d: 3, trainSize: 16, testSize: 8 });
    expect((await api().get(`/v1/datasets/${up.body.id}`)).body.id).toBe(up.body.id);

    const spec = { ...golden.spec, inputs: { kind: 'dataset', datasetId: up.body.id } };
    const post = await api().post('/v1/simulations').send(spec);
    expect(post.status).toBe(201);
    expect(post.body.spec.inputs).toEqual({ kind: 'dataset', datasetId: up.body.id });
    const done = await finishedSimulation(service.app, post.body.id, 120_000); // the worker, on a loaded machine
    expect(done.status).toBe('completed');
    const { points } = (await api().get(`/v1/simulations/${post.body.id}/trajectory?replica=0`)).body;
    points.forEach((p: { trainLoss: number; testLoss: number }, i: number) => {
      expect(Math.abs(p.trainLoss / golden.expected.trainLoss[i] - 1)).toBeLessThan(1e-3);
      expect(Math.abs(p.testLoss / golden.expected.testLoss[i] - 1)).toBeLessThan(1e-3);
    });
  }, 180_000);

  it('refuses a spec naming an unknown dataset, and checks dimensions against the stored one', async () => {
    const before = await service.deps.db.prisma.simulation.count();
    const unknown = await api().post('/v1/simulations').send({ ...golden.spec, inputs: { kind: 'dataset', datasetId: '00000000-0000-4000-8000-000000000000' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues.map((i: { path: string }) => i.path)).toContain('inputs.datasetId');

    const up = await api().post('/v1/datasets').send({ train: { x: [[1, 2], [3, 4]], y: [1, -1] } });
    // Explicit particles in d = 3 against a stored dataset in d = 2.
    const wrongD = await api().post('/v1/simulations').send({ ...golden.spec, inputs: { kind: 'dataset', datasetId: up.body.id } });
    expect(wrongD.status).toBe(400);
    expect(wrongD.body.issues.map((i: { path: string }) => i.path)).toContain('student.init.w.0');
    expect(await service.deps.db.prisma.simulation.count()).toBe(before);
  });

  it('answers a malformed dataset with 400 naming the field, an id that is not a UUID with 400 naming id, and unknown ids with 404', async () => {
    const ragged = await api().post('/v1/datasets').send({ train: { x: [[1, 2], [3]], y: [1, 2] } });
    expect(ragged.status).toBe(400);
    expect(ragged.body.issues[0].path).toBe('train.x.1');
    const short = await api().post('/v1/datasets').send({ train: { x: [[1, 2]], y: [1, 2] } });
    expect(short.body.issues[0].path).toBe('train.y');
    const malformed = await api().get('/v1/datasets/nope');
    expect(malformed.status).toBe(400);
    expect(malformed.body.issues[0].path).toBe('id');
    expect((await api().get('/v1/datasets/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });
});
