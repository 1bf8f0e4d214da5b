// What one client can cost and see (issue 13), against the real service: security headers, CORS
// off unless listed, /metrics and /docs behind a key, failed authentication throttled per address,
// a key's requests in flight bounded, event streams capped and sharing one reader per simulation,
// submissions refused over the compute and storage quotas with the estimate in the message.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { buildApp } from '../src/app.ts';
import type { SecurityOptions } from '../src/security-config.ts';
import { minute, refusedPastLimit } from './rate-windows.ts';
import { finishedSimulation, smallSpec, startService, startTestWorker } from './harness.ts';

const ADMIN = 'mfsim_bounds_test_admin_key_0123456789abcdef';
let service: Awaited<ReturnType<typeof startService>>;
const apps: Awaited<ReturnType<typeof buildApp>>[] = [];

/** The API on the test's connections with keys on (unless `auth: false`) and these bounds. */
async function appWith(security: Partial<SecurityOptions>, auth = true) {
  const app = await buildApp({ deps: service.deps, auth: auth ? { adminKey: ADMIN } : false, security });
  apps.push(app);
  await app.ready();
  return app;
}

async function newKey(app: Awaited<ReturnType<typeof appWith>>, role = 'submit') {
  const res = await request(app.server).post('/v1/keys').set('Authorization', `Bearer ${ADMIN}`).send({ name: `bounds ${role}`, role });
  expect(res.status, res.text).toBe(201);
  return res.body.key as string;
}

beforeAll(async () => {
  service = await startService();
});
afterAll(async () => {
  for (const app of apps) await app.close();
  await service?.close();
});

describe('headers', () => {
  it('every reply carries nosniff, a CSP with frame-ancestors none, and no CORS header by default', async () => {
    const app = await appWith({ corsOrigins: [] }, false);
    for (const url of ['/v1/simulations', '/dashboard/', '/healthz', '/v1/simulations/nope']) {
      const res = await request(app.server).get(url).set('Origin', 'https://evil.example');
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['content-security-policy'], url).toMatch(/frame-ancestors 'none'/);
      expect(res.headers['content-security-policy'], url).toMatch(/script-src 'self'/);
      expect(res.headers['x-frame-options'], url).toBe('DENY');
      expect(res.headers['access-control-allow-origin'], url).toBeUndefined();
    }
  });

  it('CORS answers only the listed origins, preflights included, without a key', async () => {
    const app = await appWith({ corsOrigins: ['https://lab.example'] });
    const pre = await request(app.server).options('/v1/simulations').set('Origin', 'https://lab.example').set('Access-Control-Request-Method', 'POST');
    expect(pre.status).toBe(204);
    expect(pre.headers['access-control-allow-origin']).toBe('https://lab.example');
    expect(pre.headers['access-control-allow-headers']).toMatch(/Authorization/);
    const other = await request(app.server).options('/v1/simulations').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'POST');
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const get = await request(app.server).get('/v1/simulations').set('Origin', 'https://lab.example').set('Authorization', `Bearer ${ADMIN}`);
    expect(get.status).toBe(200);
    expect(get.headers['access-control-allow-origin']).toBe('https://lab.example');
  });
});

describe('operator surfaces', () => {
  it('/metrics and /docs need a key when keys are on, and not when configured open', async () => {
    const guarded = await appWith({});
    for (const url of ['/metrics', '/docs/']) {
      expect((await request(guarded.server).get(url)).status, url).toBe(401);
      expect((await request(guarded.server).get(url).set('Authorization', `Bearer ${ADMIN}`)).status, url).toBeLessThan(400);
    }
    const open = await appWith({ protectMetrics: false, protectDocs: false });
    for (const url of ['/metrics', '/docs/']) expect((await request(open.server).get(url)).status, url).toBeLessThan(400);
  });
});

describe('failed authentication', () => {
  it('is throttled per client address with a 429 naming the limit, before any key is looked at', async () => {
    const app = await appWith({ authFailuresPerMinute: 5 });
    // Requests that offer no key (a browser's /favicon.ico, a page before sign-in) guess nothing: not counted.
    for (let i = 0; i < 8; i++) expect((await request(app.server).get(i % 2 ? '/favicon.ico' : '/v1/simulations')).status).toBe(401);
    expect((await request(app.server).get('/v1/simulations').set('Authorization', `Bearer ${ADMIN}`)).status).toBe(200);
    // 5 refused keys (401) in the minute's window (rate-windows.ts), then the 429.
    let wrong = 0;
    const { refused, askedIn } = await refusedPastLimit(() => request(app.server).get('/v1/simulations').set('Authorization', `Bearer mfsim_wrong_${wrong++}`), 5, 401);
    expect(refused.body.message).toMatch(/failed authentications from this address \(limit 5 per minute/);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    // The address is refused even with a good key until the minute is over (checked when the minute
    // of the refusal has not turned meanwhile: after it, the address starts afresh).
    const good = await request(app.server).get('/v1/simulations').set('Authorization', `Bearer ${ADMIN}`);
    if (minute() === askedIn) expect(good.status).toBe(429);
  });
});

describe('requests in flight per key', () => {
  it("one key's burst is refused past its bound while another key is served", async () => {
    const app = await buildApp({ deps: service.deps, auth: { adminKey: ADMIN }, security: { requestsInFlightPerKey: 2 } });
    apps.push(app);
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    app.get('/v1/held', async () => {
      await gate;
      return { ok: true };
    });
    await app.ready();
    const [a, b] = [await newKey(app, 'read'), await newKey(app, 'read')];
    const held = [0, 1].map(() => request(app.server).get('/v1/held').set('Authorization', `Bearer ${a}`).then((r) => r.status));
    // Wait until both are in flight (the hook counted them): a deadline, not a count of tries, as
    // on a loaded machine the two requests may take seconds to arrive.
    const idA = await keyId(app, a);
    for (const end = Date.now() + 60_000; app.requestsInFlight?.(idA) !== 2; await new Promise((r) => setTimeout(r, 25))) {
      if (Date.now() > end) throw new Error(`the two held requests were not in flight after 60 s (${app.requestsInFlight?.(idA)})`);
    }
    const third = await request(app.server).get('/v1/simulations').set('Authorization', `Bearer ${a}`);
    expect(third.status).toBe(429);
    expect(third.body.message).toMatch(/2 requests in progress \(limit 2/);
    expect((await request(app.server).get('/v1/simulations').set('Authorization', `Bearer ${b}`)).status).toBe(200);
    open();
    expect(await Promise.all(held)).toEqual([200, 200]);
    expect((await request(app.server).get('/v1/simulations').set('Authorization', `Bearer ${a}`)).status).toBe(200);
  });
});

async function keyId(app: Awaited<ReturnType<typeof appWith>>, key: string): Promise<string> {
  const list = await request(app.server).get('/v1/keys').set('Authorization', `Bearer ${ADMIN}`);
  return list.body.items.find((k: { prefix: string }) => key.startsWith(k.prefix)).id;
}

/** Opens an event stream on a listening server; resolves with its status once the head arrives. */
function openStream(port: number, path: string, key?: string) {
  let body = '';
  let req!: http.ClientRequest;
  let closed!: Promise<void>;
  const head = new Promise<number>((resolve, reject) => {
    req = http.get({ host: '127.0.0.1', port, path, headers: key ? { authorization: `Bearer ${key}` } : {} }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      resolve(res.statusCode ?? 0);
    });
    // Listen for the end at once: a stream of a run that has already ended arrives whole in one
    // read, and its 'close' (a nextTick) fires before a listener attached after `head` resolves.
    closed = new Promise<void>((resolve) => req.once('close', () => resolve()));
    req.on('error', reject);
  });
  const ended = head.then(() => closed).then(() => body);
  return { head, ended, close: () => req.destroy(), text: () => body };
}

describe('event streams', () => {
  it('are capped per key and in total with a 429 naming the cap', async () => {
    const app = await appWith({ sseStreamsPerKey: 2, sseStreamsTotal: 3 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const [a, b] = [await newKey(app, 'submit'), await newKey(app, 'submit')];
    const sim = await request(app.server).post('/v1/simulations').set('Authorization', `Bearer ${a}`).send(smallSpec({ name: 'streamed, never run' }));
    expect(sim.status, sim.text).toBe(201);
    const path = `/v1/simulations/${sim.body.id}/events`;
    const streams = [openStream(port, path, a), openStream(port, path, a)];
    expect(await Promise.all(streams.map((s) => s.head))).toEqual([200, 200]);
    const overKey = await request(app.server).get(path).set('Authorization', `Bearer ${a}`);
    expect(overKey.status).toBe(429);
    expect(overKey.body.message).toMatch(/limit \(MFSIM_SSE_STREAMS_PER_KEY\)/);
    const third = openStream(port, path, b);
    expect(await third.head).toBe(200);
    const overTotal = await request(app.server).get(path).set('Authorization', `Bearer ${b}`);
    expect(overTotal.status).toBe(429);
    expect(overTotal.body.message).toMatch(/MFSIM_SSE_STREAMS_TOTAL/);
    for (const s of [...streams, third]) s.close();
    // Closed streams give their places back (soon: looked for until a deadline, not a count of tries).
    let reopened = 0;
    for (const end = Date.now() + 60_000; reopened !== 200 && Date.now() < end; ) {
      const s = openStream(port, path, a);
      reopened = await s.head;
      s.close();
      if (reopened !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(reopened).toBe(200);
  });

  it('40 streams of one running simulation each get every event, in order, and end at its final status', async () => {
    const app = await appWith({}, false);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const port = (app.server.address() as AddressInfo).port;
    const worker = await startTestWorker();
    try {
      const sim = await request(app.server).post('/v1/simulations').send(smallSpec({ name: 'fan out', training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 600 }, record: { every: 50, testSize: 64, probes: 2 } }));
      expect(sim.status).toBe(201);
      const streams = Array.from({ length: 40 }, () => openStream(port, `/v1/simulations/${sim.body.id}/events`));
      const bodies = await Promise.all(streams.map((s) => s.ended));
      const ids = (t: string) => [...t.matchAll(/^id: (.+)$/gm)].map((m) => m[1]);
      const first = ids(bodies[0]);
      expect(first.length).toBeGreaterThan(1);
      for (const b of bodies) {
        expect(ids(b)).toEqual(first);
        expect(b).toMatch(/"status":"completed"/);
      }
      await finishedSimulation(app, sim.body.id, 120_000);
    } finally {
      await worker.close();
    }
  }, 240_000); // the streams end when the worker has run it: a minute or more on a loaded machine
});

describe('quotas', () => {
  it('refuses a spec over the compute or storage quota with the estimate, writing nothing', async () => {
    const app = await appWith({ maxFlopsPerSubmission: 1e12, maxBytesPerSubmission: 1024 ** 3 }, false);
    const before = await service.deps.db.prisma.simulation.count();
    const compute = await request(app.server).post('/v1/simulations').send(smallSpec({ student: { unit: 'tanh', width: 10_000 }, training: { dynamics: 'sgd', batchSize: 64, dt: 0.1, steps: 10_000_000 }, record: { logPoints: 50, testSize: 64, probes: 2 } }));
    expect(compute.status).toBe(400);
    expect(compute.body.message).toMatch(/about \d\.\d+e\+\d+ floating-point operations, over the quota of 1\.00e\+12/);
    expect(compute.body.issues.map((i: { path: string }) => i.path)).toContain('training.steps');
    const storage = await request(app.server).post('/v1/simulations').send(smallSpec({ replicas: 1024, training: { dynamics: 'sgd', batchSize: 1, dt: 0.1, steps: 100_000 }, record: { logPoints: 100_000, testSize: 8, probes: 0 } }));
    expect(storage.status).toBe(400);
    expect(storage.body.message).toMatch(/store about [\d.]+ GiB .* over the quota of 1\.00 GiB/);
    const sweep = await request(app.server).post('/v1/sweeps').send({ base: smallSpec({ training: { dynamics: 'sgd', batchSize: 64, dt: 0.1, steps: 10_000_000 } }), grid: { 'student.width': [1_000, 10_000] } });
    expect(sweep.status).toBe(400);
    expect(sweep.body.message).toMatch(/these 2 simulations would take about/);
    expect(await service.deps.db.prisma.simulation.count()).toBe(before);
  });

  it("counts the project's queued work against its quota: 429 naming it", async () => {
    const spec = smallSpec({ name: 'queued quota', training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 1000 } });
    // Each costs about 1000 steps x 2 replicas x 64 x 6 x 16 x 6 = 7.4e7; the quota takes a few.
    const app = await appWith({ maxQueuedFlopsPerProject: 1e8 + (await queuedNow()) }, false);
    const first = await request(app.server).post('/v1/simulations').send(spec);
    expect(first.status, first.text).toBe(201);
    const second = await request(app.server).post('/v1/simulations').send(spec);
    expect(second.status).toBe(429);
    expect(second.body.message).toMatch(/queued or running; this simulation would add .* over its quota/);
    await request(app.server).post(`/v1/simulations/${first.body.id}/cancel`);
    expect((await request(app.server).post('/v1/simulations').send(spec)).status).toBe(201);
  });
});

async function queuedNow(): Promise<number> {
  const { queuedFlops } = await import('@mfsim/db');
  return queuedFlops(service.deps.db, 'default');
}

describe('stored datasets named by specs', () => {
  it('are checked by their sizes: a wrong dimension or a batch over the training set is a 400 naming the field', async () => {
    const x = Array.from({ length: 20 }, (_, i) => [i / 20, 1 - i / 20, 0.5]);
    const up = await request(service.app.server).post('/v1/datasets').send({ train: { x, y: x.map((r) => r[0]) } });
    expect(up.status).toBe(201);
    const base = { ...smallSpec(), inputs: { kind: 'dataset', datasetId: up.body.id } };
    const teacher = await request(service.app.server).post('/v1/simulations').send({ ...base, target: { kind: 'teacher', unit: 'tanh', width: 2, params: { a: [1, 1], w: [[1, 0], [0, 1]] } } });
    expect(teacher.status).toBe(400);
    expect(teacher.body.issues.map((i: { path: string }) => i.path)).toContain('target.params.w.0');
    const batch = await request(service.app.server).post('/v1/simulations').send({ ...base, training: { dynamics: 'minibatch', batchSize: 21, dt: 0.1, steps: 10 }, record: { every: 5, testSize: 16, probes: 2 } });
    expect(batch.status).toBe(400);
    expect(batch.body.issues).toContainEqual({ path: 'training.batchSize', message: 'must not exceed the training set (20)' });
    const ok = await request(service.app.server).post('/v1/simulations').send({ ...base, training: { dynamics: 'minibatch', batchSize: 20, dt: 0.1, steps: 10 }, record: { every: 5, testSize: 16, probes: 2 } });
    expect(ok.status, ok.text).toBe(201);
    // The stored spec names the dataset; its points are not copied into the submission.
    expect(ok.body.spec.inputs).toEqual({ kind: 'dataset', datasetId: up.body.id });
  });
});
