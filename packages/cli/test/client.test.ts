import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MfsimApiError, MfsimClient, MfsimConnectionError, type ProgressUpdate } from '@mfsim/client';
import { runLocal } from '../src/index.ts';
import { smallSpec, startHttpService } from './service.ts';

let service: Awaited<ReturnType<typeof startHttpService>>;
let client: MfsimClient;

beforeAll(async () => {
  service = await startHttpService();
  client = new MfsimClient({ baseUrl: service.url, pollMs: 100 });
});
afterAll(async () => service?.close());

describe('the client against the running service', () => {
  it('submits, follows progress to the end, and reads the trajectory', async () => {
    const sim = await client.submit(smallSpec({ name: 'client run' }) as never);
    expect(sim.status).toBe('queued');
    expect((await client.get(sim.id)).spec.student.width).toBe(16);

    const updates: ProgressUpdate[] = [];
    const done = await client.wait(sim.id, { timeoutMs: 30_000, onProgress: (u) => updates.push(u) });
    expect(done.status).toBe('completed');
    expect(done.stepsDone).toBe(200);
    expect(updates.at(-1)?.status).toBe('completed');
    expect(updates.at(-1)?.progress).toBe(1);

    const { points } = await client.trajectory(sim.id, { replica: 0 });
    expect(points.map((p) => p.step)).toEqual([0, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200]);
    expect(points.every((p) => p.replica === 0 && typeof p.testLoss === 'number')).toBe(true);
  });

  it('gives the same trajectory as a local run of the same spec and seed on the same kernel', async () => {
    const spec = smallSpec({ name: 'local vs service', seed: 123 });
    const remote = await client.run(spec as never, { timeoutMs: 30_000 });
    expect(remote.status).toBe('completed');
    expect(remote.backend).toBe(service.kernel);
    const local = await runLocal(spec as never, { kernel: service.kernel });
    expect(local.kernel.name).toBe(service.kernel);
    const { points } = await client.fullTrajectory(remote.id);
    expect(points.length).toBe(22);
    // Bit for bit: the same float32 losses, stored and read back as the same doubles.
    expect(points).toEqual(local.points);

    try {
      const stats = await client.statistics(remote.id);
      expect(stats.rows).toEqual(local.statistics.rows);
    } catch (err) {
      // The statistics route may not be there yet in this API; anything else is a failure.
      if (!(err instanceof MfsimApiError && err.status === 404 && /no route/.test(err.message))) throw err;
    }
  });

  it('lists every simulation across pages with an async iterator', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await client.submit(smallSpec({ name: `page ${i}`, training: { dynamics: 'sgd', batchSize: 8, dt: 0.2, steps: 5 }, record: { every: 5, testSize: 16, probes: 2 } }) as never)).id);
    const seen: string[] = [];
    for await (const s of client.list({ limit: 2 })) seen.push(s.id);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of ids) expect(seen).toContain(id);
    const page = await client.listPage({ limit: 2 });
    expect(page.items).toHaveLength(2);
    expect(page.nextCursor).toEqual(expect.any(String));
    await Promise.all(ids.map((id) => client.wait(id, { timeoutMs: 30_000 })));
  });

  it('throws MfsimApiError with the field issues for a bad spec, and 404 for an unknown id', async () => {
    const err = await client.submit(smallSpec({ student: { unit: 'tanh', width: 0 } }) as never).catch((e) => e);
    expect(err).toBeInstanceOf(MfsimApiError);
    expect(err.status).toBe(400);
    expect(err.issues).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'student.width' })]));
    expect(err.describe()).toMatch(/student\.width: /);

    const missing = await client.get('00000000-0000-4000-8000-000000000000').catch((e) => e);
    expect(missing).toBeInstanceOf(MfsimApiError);
    expect(missing.status).toBe(404);
  });

  it('says clearly when the API is not there', async () => {
    const nobody = new MfsimClient({ baseUrl: 'http://127.0.0.1:1' });
    const err = await nobody.get('x').catch((e) => e);
    expect(err).toBeInstanceOf(MfsimConnectionError);
    expect(err.message).toMatch(/cannot reach the mfsim API at http:\/\/127\.0\.0\.1:1/);
  });
});
