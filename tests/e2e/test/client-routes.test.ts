// The client on the routes beyond simulations: API keys with auth on, live progress over SSE,
// cancel, sweeps with their statistics, schedules.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smallSpec, startHttpService } from './harness.ts';
import { MfsimApiError, MfsimClient, type ProgressUpdate } from '@mfsim/client';

const ADMIN = 'test-admin-key-0123456789abcdef';
let service: Awaited<ReturnType<typeof startHttpService>>;
let admin: MfsimClient;

beforeAll(async () => {
  process.env.API_ADMIN_KEY = ADMIN; // auth on for this file's service
  service = await startHttpService({ memoryBudgetBytes: 1024 ** 3 });
  admin = new MfsimClient({ baseUrl: service.url, apiKey: ADMIN, pollMs: 100 });
});
afterAll(async () => {
  await service?.close();
  delete process.env.API_ADMIN_KEY;
});

describe('the client on keys, events, cancel, sweeps and schedules', () => {
  it('creates a key that can submit, lists it, and is refused without one', async () => {
    const created = await admin.keys.create({ name: 'client test', role: 'submit' });
    expect(created.key).toEqual(expect.any(String));
    const submitter = new MfsimClient({ baseUrl: service.url, apiKey: created.key ?? undefined });
    expect((await submitter.submit(smallSpec({ name: 'with a key' }) as never)).status).toBe('queued');
    expect((await admin.keys.list()).map((k) => k.id)).toContain(created.id);
    const anonymous = await new MfsimClient({ baseUrl: service.url }).listPage().catch((e) => e);
    expect(anonymous).toBeInstanceOf(MfsimApiError);
    expect(anonymous.status).toBe(401);
    const notAdmin = await submitter.keys.list().catch((e) => e);
    expect(notAdmin.status).toBe(403);
    await admin.keys.revoke(created.id);
  });

  it('streams progress over Server-Sent Events to the end', async () => {
    const sim = await admin.submit(smallSpec({ name: 'sse', training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 2000 } }) as never);
    const updates: ProgressUpdate[] = [];
    for await (const u of admin.progress(sim.id)) updates.push(u);
    expect(updates[0].source).toBe('sse');
    expect(updates.at(-1)).toMatchObject({ status: 'completed', progress: 1 });
  }, 240_000); // the stream ends when the worker has run it: a minute or more on a loaded machine

  it('cancels a running simulation', async () => {
    const sim = await admin.submit(smallSpec({ name: 'to cancel', training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 2_000_000 }, record: { logPoints: 20, testSize: 64, probes: 2 } }) as never);
    for await (const u of admin.progress(sim.id)) if (u.status === 'running') break;
    await admin.cancel(sim.id);
    const done = await admin.wait(sim.id, { timeoutMs: 120_000 });
    expect(done.status).toBe('cancelled');
  }, 240_000);

  it('runs a sweep over widths and reads its statistics', async () => {
    const sweep = await admin.sweeps.submit({
      name: 'client widths',
      base: smallSpec({ training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 100 } }),
      grid: { 'student.width': [8, 16] },
      replicas: 2,
    });
    expect(sweep.children).toHaveLength(2);
    // Deadlines for a loaded 2-core machine: the worker runs both children, then aggregates.
    const done = await admin.sweeps.wait(sweep.id, { timeoutMs: 180_000 });
    expect(done.status).toBe('completed');
    const stats = await admin.sweeps.statistics(sweep.id);
    expect(stats.series[0].byWidth.map((w) => w.width)).toEqual([8, 16]);
    const scaling = await admin.sweeps.scaling(sweep.id, { time: 20 });
    expect(scaling.points.map((p) => p.width)).toEqual([8, 16]);
  }, 240_000);

  it('creates, pauses and deletes a schedule', async () => {
    const s = await admin.schedules.create({
      name: 'nightly', pattern: '0 3 * * *', timeZone: 'UTC',
      sweep: { base: smallSpec(), grid: { 'student.width': [8] } },
    });
    expect((await admin.schedules.pause(s.id)).paused).toBe(true);
    const all = [];
    for await (const x of admin.schedules.list()) all.push(x.id);
    expect(all).toContain(s.id);
    await admin.schedules.delete(s.id);
    // Kept as a record with deletedAt (its sweeps stay linked), left out of the list.
    expect((await admin.schedules.get(s.id)).deletedAt).toEqual(expect.any(String));
    const after = [];
    for await (const x of admin.schedules.list()) after.push(x.id);
    expect(after).not.toContain(s.id);
  });
});
