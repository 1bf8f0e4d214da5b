// Keys, idempotency, lists, trajectory queries, cancel/retry, events and metrics, on the real service.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { DEFAULT_CHUNK_MAX_STEPS } from '@mfsim/engine';
import { buildApp } from '../src/app.ts';
import { refusedPastLimit } from './rate-windows.ts';
import { finishedSimulation, smallSpec, sseText, startService, startTestWorker, waitFor } from './harness.ts';

let service: Awaited<ReturnType<typeof startService>>;
let secured: Awaited<ReturnType<typeof buildApp>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
const api = () => request(service.app.server);
const ADMIN = 'test-admin-key-0123456789';

// Runs wait on the in-process worker: generous deadlines for a loaded 2-core machine.
const finished = (id: string) => finishedSimulation(service.app, id, 120_000);

beforeAll(async () => {
  service = await startService();
  secured = await buildApp({ deps: service.deps, auth: { adminKey: ADMIN, rateLimitPerMinute: 1000 } });
  await secured.ready();
  worker = await startTestWorker();
});

afterAll(async () => {
  await worker?.close();
  await secured?.close();
  await service?.close();
});

describe('API keys', () => {
  const sec = () => request(secured.server);
  it('refuses requests without a valid key (401) and roles that may not (403); admin manages keys', async () => {
    expect((await sec().get('/v1/simulations')).status).toBe(401);
    expect((await sec().get('/v1/simulations').set('Authorization', 'Bearer nope')).status).toBe(401);
    expect((await sec().get('/healthz')).status).toBe(200);
    const created = await sec().post('/v1/keys').set('Authorization', `Bearer ${ADMIN}`).send({ name: 'reader', role: 'read' });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^mfsim_/);
    expect(created.body.key.startsWith(created.body.prefix)).toBe(true);
    const reader = `Bearer ${created.body.key}`;
    expect((await sec().get('/v1/simulations').set('Authorization', reader)).status).toBe(200);
    const post = await sec().post('/v1/simulations').set('Authorization', reader).send(smallSpec());
    expect(post.status).toBe(403);
    expect(post.body.issues[0].path).toBe('(header) authorization');
    expect((await sec().get('/v1/keys').set('Authorization', reader)).status).toBe(403);
    const list = await sec().get('/v1/keys').set('Authorization', `Bearer ${ADMIN}`);
    expect(list.body.items.map((k: { id: string }) => k.id)).toContain(created.body.id);
    expect(JSON.stringify(list.body)).not.toContain(created.body.key);
    expect((await sec().delete(`/v1/keys/${created.body.id}`).set('Authorization', `Bearer ${ADMIN}`)).status).toBe(200);
    expect((await sec().get('/v1/simulations').set('Authorization', reader)).status).toBe(401);
  });

  it('takes the key as ?access_token= on the event streams only (EventSource cannot send headers), and never logs it', async () => {
    const lines: string[] = [];
    const logged = await buildApp({
      deps: service.deps, auth: { adminKey: ADMIN }, logger: { level: 'info', stream: { write: (l: string) => lines.push(l) } },
    });
    await logged.ready();
    try {
      const created = await request(logged.server).post('/v1/keys').set('Authorization', `Bearer ${ADMIN}`).send({ name: 'browser', role: 'read' });
      const key: string = created.body.key;
      const sim = await request(logged.server).post('/v1/simulations').set('Authorization', `Bearer ${ADMIN}`).send(smallSpec({ name: 'sse-token' }));
      expect(sim.status).toBe(201);
      await request(logged.server).post(`/v1/simulations/${sim.body.id}/cancel`).set('Authorization', `Bearer ${ADMIN}`);
      const text = (res: request.Response, cb: (err: Error | null, body: string) => void) => {
        let t = '';
        const stream = res as unknown as NodeJS.ReadableStream;
        stream.on('data', (c: Buffer) => (t += c));
        stream.on('end', () => cb(null, t));
      };
      const events = await request(logged.server).get(`/v1/simulations/${sim.body.id}/events`).query({ access_token: key }).buffer(true).parse(text);
      expect(events.status).toBe(200);
      expect(events.body).toMatch(/"status":"cancelled"/);
      const sweep = await request(logged.server).get('/v1/sweeps/6f1c2b7e-0000-4000-8000-000000000000/events').query({ access_token: key });
      expect(sweep.status).toBe(404); // authenticated, then not found
      expect((await request(logged.server).get(`/v1/simulations/${sim.body.id}/events`).query({ access_token: 'mfsim_wrong' })).status).toBe(401);
      expect((await request(logged.server).get(`/v1/simulations/${sim.body.id}/events`)).status).toBe(401);
      // Everywhere else a key in the URL is not a key.
      const other = await request(logged.server).get(`/v1/simulations/${sim.body.id}`).query({ access_token: key });
      expect(other.status).toBe(401);
      expect(lines.join('\n')).toContain('access_token=[redacted]');
      expect(lines.join('\n')).not.toContain(key);
    } finally {
      await logged.close();
    }
  });

  it('limits each key per minute: 429 with Retry-After', async () => {
    const created = await request(secured.server).post('/v1/keys').set('Authorization', `Bearer ${ADMIN}`).send({ name: 'slow', role: 'read', rateLimitPerMinute: 3 });
    const auth = `Bearer ${created.body.key}`;
    // 3 answered (in the minute's window; rate-windows.ts), then the 429.
    const { refused } = await refusedPastLimit(() => sec().get('/v1/simulations?limit=1').set('Authorization', auth), 3, 200);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
  });
});

describe('Idempotency-Key', () => {
  it('returns the first reply for the same key and body, 409 for another body, and queues once', async () => {
    const key = `idem-${Date.now()}`;
    const a = await api().post('/v1/simulations').set('Idempotency-Key', key).send(smallSpec({ name: 'idem' }));
    const b = await api().post('/v1/simulations').set('Idempotency-Key', key).send(smallSpec({ name: 'idem' }));
    expect(a.status).toBe(201);
    expect(b.status).toBe(201);
    expect(b.body.id).toBe(a.body.id);
    expect(b.headers['idempotent-replayed']).toBe('true');
    const c = await api().post('/v1/simulations').set('Idempotency-Key', key).send(smallSpec({ name: 'other' }));
    expect(c.status).toBe(409);
    expect(c.body.issues[0].path).toBe('(header) idempotency-key');
    const same = await api().get('/v1/simulations?name=idem&limit=50');
    expect(same.body.items.filter((s: { name: string }) => s.name === 'idem')).toHaveLength(1);
    await finished(a.body.id);
  }, 180_000);
});

describe('lists', () => {
  it('filters by name, tag, status and creation time, and sorts with a cursor', async () => {
    const ids = [];
    for (const width of [8, 24, 16]) {
      const r = await api().post('/v1/simulations').send(smallSpec({ name: `list-${width}`, tags: ['listing'], student: { unit: 'tanh', width } }));
      ids.push(r.body.id);
    }
    const byTag = await api().get('/v1/simulations?tag=listing&sort=width&limit=2');
    expect(byTag.body.items.map((s: { name: string }) => s.name)).toEqual(['list-8', 'list-16']);
    const next = await api().get(`/v1/simulations?tag=listing&sort=width&limit=2&cursor=${byTag.body.nextCursor}`);
    expect(next.body.items.map((s: { name: string }) => s.name)).toEqual(['list-24']);
    expect(next.body.nextCursor).toBeNull();
    expect((await api().get('/v1/simulations?name=LIST-2')).body.items.map((s: { name: string }) => s.name)).toEqual(['list-24']);
    const future = new Date(Date.now() + 3600_000).toISOString();
    expect((await api().get(`/v1/simulations?tag=listing&createdAfter=${future}`)).body.items).toEqual([]);
    const bad = await api().get('/v1/simulations?sort=sideways&createdAfter=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['createdAfter', 'sort']);
    for (const id of ids) await finished(id);
  }, 240_000);
});

describe('trajectory queries', () => {
  it('serves ranges, replicas, downsampling that keeps extremes and ends, full scans with a cursor, and CSV', async () => {
    const post = await api().post('/v1/simulations').send(smallSpec({ training: { dynamics: 'sgd', batchSize: 32, dt: 0.2, steps: 400 }, record: { every: 1, testSize: 64, probes: 2, snapshots: [0, 400] } }));
    await finished(post.body.id);
    const id = post.body.id;
    const all = (await api().get(`/v1/simulations/${id}/trajectory?replica=0&limit=100000`)).body.points;
    expect(all).toHaveLength(401);
    const ds = await api().get(`/v1/simulations/${id}/trajectory?replica=0&maxPoints=50`);
    expect(ds.body.downsampled).toBe(true);
    const pts = ds.body.points;
    expect(pts.length).toBeLessThanOrEqual(50);
    expect(pts[0].step).toBe(0);
    expect(pts[pts.length - 1].step).toBe(400);
    const losses = all.map((p: { testLoss: number }) => p.testLoss);
    expect(pts.map((p: { testLoss: number }) => p.testLoss)).toContain(Math.min(...losses));
    expect(pts.map((p: { testLoss: number }) => p.testLoss)).toContain(Math.max(...losses));
    const range = (await api().get(`/v1/simulations/${id}/trajectory?fromStep=100&toStep=110`)).body.points;
    expect(range).toHaveLength(22);
    const timeRange = (await api().get(`/v1/simulations/${id}/trajectory?replica=1&fromTime=20&toTime=21`)).body.points;
    expect(timeRange.map((p: { step: number }) => p.step)).toEqual([100, 101, 102, 103, 104, 105]);
    let cursor = '';
    const scanned = [];
    for (;;) {
      const r = await api().get(`/v1/simulations/${id}/trajectory?limit=300${cursor ? `&cursor=${cursor}` : ''}`);
      scanned.push(...r.body.points);
      if (!r.body.nextCursor) break;
      cursor = r.body.nextCursor;
    }
    expect(scanned).toHaveLength(802);
    const csv = await api().get(`/v1/simulations/${id}/trajectory?replica=0&toStep=2`).set('Accept', 'text/csv');
    expect(csv.headers['content-type']).toMatch(/text\/csv/);
    expect(csv.text.split('\n')[0]).toBe('replica,step,time,trainLoss,testLoss,testError');
    expect(csv.text.trim().split('\n')).toHaveLength(4);
    const steps = await api().get(`/v1/simulations/${id}/snapshots`);
    expect(steps.body.steps).toEqual([0, 400]);
    const json = await api().get(`/v1/simulations/${id}/snapshots/400`);
    const bin = await api().get(`/v1/simulations/${id}/snapshots/400`).set('Accept', 'application/octet-stream').buffer(true)
      .parse((res, cb) => { const parts: Buffer[] = []; res.on('data', (c: Buffer) => parts.push(c)); res.on('end', () => cb(null, Buffer.concat(parts))); });
    const floats = new Float32Array(new Uint8Array(bin.body as Buffer).slice().buffer);
    expect(floats.length).toBe(json.body.c.length + json.body.w.length + json.body.b.length);
    expect(floats[0]).toBe(json.body.c[0]);
  }, 180_000);
});

describe('cancel, retry, events, metrics', () => {
  it('cancels a running simulation at the end of the chunk in hand, keeps its points, retries it to completion, and streams events', async () => {
    const post = await api().post('/v1/simulations').send(smallSpec({ name: 'long', student: { unit: 'tanh', width: 256 }, training: { dynamics: 'sgd', batchSize: 256, dt: 0.05, steps: 200_000 }, record: { every: 100, testSize: 64, probes: 2 } }));
    const id = post.body.id;
    await waitFor(async () => ((await api().get(`/v1/simulations/${id}`)).body.stepsDone > 0 ? true : undefined), 120_000, 'progress');
    const cancel = await api().post(`/v1/simulations/${id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    // The worker lets go of the job (its final write happened) after the chunk it had in hand: a
    // chunk is at most DEFAULT_CHUNK_MAX_STEPS steps (and about DEFAULT_CHUNK_MS of wall time), and
    // every chunk stored after the cancel sees it, so no more than one chunk runs past the reply's
    // stepsDone. Counted in steps, not in wall time: on a loaded machine the final writes may take
    // seconds, while a worker that ignored the cancel would run on for its 200,000 steps.
    await waitFor(async () => ((await service.deps.queues.cpu.getJob(id))?.finishedOn ? true : undefined), 120_000, 'job to stop');
    const row = (await api().get(`/v1/simulations/${id}`)).body;
    expect(row.status).toBe('cancelled');
    expect(row.stepsDone).toBeLessThanOrEqual(cancel.body.stepsDone + DEFAULT_CHUNK_MAX_STEPS);
    const kept = (await api().get(`/v1/simulations/${id}/trajectory?replica=0`)).body.points.length;
    expect(kept).toBeGreaterThan(0);
    expect((await api().post(`/v1/simulations/${id}/cancel`)).status).toBe(409);
    const retry = await api().post(`/v1/simulations/${id}/retry`);
    expect(retry.status).toBe(202);
    expect(retry.body.resumesFromStep).toBeGreaterThan(0);
    await waitFor(async () => ((await api().get(`/v1/simulations/${id}`)).body.stepsDone > retry.body.resumesFromStep ? true : undefined), 120_000, 'rerun');
    await api().post(`/v1/simulations/${id}/cancel`);
    // Events: the whole log of the current attempt (from the retry on), then resume after an id.
    const events = await api().get(`/v1/simulations/${id}/events`).buffer(true).parse(sseText);
    const text = events.body as string;
    expect(events.headers['content-type']).toMatch(/text\/event-stream/);
    const logged = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ type: m[1], data: JSON.parse(m[2]) }));
    const statuses = logged.filter((e) => e.type === 'status').map((e) => e.data.status);
    // The history in order: the retry's `queued`, the rerun, and its end; not the first run's, and no
    // snapshot of the current state ahead of the history (it made progress jump back on the pages).
    expect(statuses).toEqual(['queued', 'running', 'cancelled']);
    expect(logged.find((e) => e.data.status === 'queued')?.data.retry).toBe(true);
    expect(logged.some((e) => e.type === 'progress' && e.data.stepsDone > retry.body.resumesFromStep)).toBe(true);
    const ids = [...text.matchAll(/^id: (\S+)$/gm)].map((m) => m[1]);
    const resumed = await api().get(`/v1/simulations/${id}/events`).set('Last-Event-ID', ids[ids.length - 2]).buffer(true).parse(sseText);
    expect([...(resumed.body as string).matchAll(/^id: (\S+)$/gm)].map((m) => m[1])).toEqual([ids[ids.length - 1]]);
    const metrics = await api().get('/metrics');
    expect(metrics.text).toMatch(/mfsim_queue_jobs\{queue="simulations-cpu",kind="cpu",state="waiting"\} \d+/);
    expect(metrics.text).toMatch(/mfsim_jobs_started_total [1-9]/);
    expect(metrics.text).toMatch(/mfsim_steps_total [1-9]/);
  }, 360_000); // three waits on the worker of up to 120 s each on a loaded machine

  it('removes a queued simulation from the queue when cancelled, and runs higher priorities first', async () => {
    await worker.close();
    const low = await api().post('/v1/simulations').send(smallSpec({ name: 'low', priority: -5 }));
    const high = await api().post('/v1/simulations').send(smallSpec({ name: 'high', priority: 5 }));
    const gone = await api().post('/v1/simulations').send(smallSpec({ name: 'gone' }));
    expect((await api().post(`/v1/simulations/${gone.body.id}/cancel`)).body.status).toBe('cancelled');
    expect(await service.deps.queues.cpu.getJob(gone.body.id)).toBeUndefined();
    worker = await startTestWorker();
    const [l, h] = [await finished(low.body.id), await finished(high.body.id)];
    expect(new Date(h.startedAt).getTime()).toBeLessThan(new Date(l.startedAt).getTime());
  }, 300_000);

  it('serves the docs page', async () => {
    const r = await api().get('/docs/');
    expect(r.status).toBe(200);
    expect(r.text).toMatch(/swagger/i);
  });
});
