// No key in the clear: idempotency records live in Postgres (a Redis that lost its data cannot
// make a retry run twice; a dead API's pending record expires with its short lease), a replayed
// POST /v1/keys never carries the key, and ?access_token= is redacted from the request log however
// its name is percent-encoded.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { claimIdempotencyKey } from '@mfsim/db';
import { buildApp } from '../src/app.ts';
import { idempotencyScope } from '../src/idempotency.ts';
import { replyStatus, smallSpec, useService, waitFor } from './harness.ts';

const ADMIN = 'secrets-test-admin-key-0123456789';
const run = Math.random().toString(36).slice(2, 8);
const service = useService();
const api = service.api;

/** Every string value Redis holds (the test database is small). */
async function redisStrings(): Promise<string> {
  const redis = service.deps.redis;
  const keys = await redis.keys('*');
  const values = await Promise.all(keys.map(async (k) => ((await redis.type(k)) === 'string' ? (await redis.get(k)) ?? '' : '')));
  return `${keys.join('\n')}\n${values.join('\n')}`;
}

describe('idempotency records in Postgres', () => {
  it('replays the first reply after Redis lost all its data, and runs the request once', async () => {
    const key = `lost-redis-${run}`;
    const name = `idempotent ${run}`;
    const first = await api().post('/v1/simulations').set('Idempotency-Key', key).send(smallSpec({ name }));
    expect(first.status).toBe(201);
    await service.deps.redis.flushdb();
    const again = await api().post('/v1/simulations').set('Idempotency-Key', key).send(smallSpec({ name }));
    expect(again.status).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body.id).toBe(first.body.id);
    const list = await api().get('/v1/simulations').query({ name, limit: 100 });
    expect(list.body.items.map((s: { id: string }) => s.id)).toEqual([first.body.id]);
  });

  it("takes over a dead API's pending key once its short lease has passed", async () => {
    const before = process.env.MFSIM_IDEMPOTENCY_LEASE_SECONDS;
    process.env.MFSIM_IDEMPOTENCY_LEASE_SECONDS = '1';
    const app = await buildApp({ deps: service.deps, auth: false });
    await app.ready();
    try {
      const key = `dead-api-${run}`;
      const body = smallSpec({ name: `after a crash ${run}` });
      const sha = (s: string) => createHash('sha256').update(s).digest('hex');
      // The fingerprint of this request, as recorded for the same request under another key.
      const probe = await request(app.server).post('/v1/simulations').set('Idempotency-Key', `probe-${key}`).send(body);
      expect(probe.status).toBe(201);
      const { rows } = await service.deps.db.pool.query('SELECT fingerprint FROM idempotency_records WHERE "keyHash" = $1', [sha(`probe-${key}`)]);
      // What an API killed in the middle of this POST leaves behind: a pending record, never finished.
      // Its lease is long enough that the request below surely comes while it holds (a 1 s lease
      // could pass on a loaded machine before that request arrives); then the lease is made to pass.
      const claim = await claimIdempotencyKey(service.deps.db, {
        scope: idempotencyScope({ id: 'anonymous', project: 'default' }),
        keyHash: sha(key),
        fingerprint: rows[0].fingerprint,
        leaseSeconds: 600,
        ttlSeconds: 24 * 3600,
      });
      expect(claim.claimed).toBe(true);
      const during = await request(app.server).post('/v1/simulations').set('Idempotency-Key', key).send(body);
      expect(during.status).toBe(409);
      expect(during.body.message).toMatch(/still running/);
      expect(during.headers['retry-after']).toBe('1');
      // Once the lease has passed (the record still has 24 h to live), the retry runs.
      await service.deps.db.pool.query(`UPDATE idempotency_records SET "leaseUntil" = now() - interval '1 second' WHERE "keyHash" = $1`, [sha(key)]);
      const after = await request(app.server).post('/v1/simulations').set('Idempotency-Key', key).send(body);
      expect(after.status).toBe(201);
      const replay = await request(app.server).post('/v1/simulations').set('Idempotency-Key', key).send(body);
      expect(replay.body.id).toBe(after.body.id);
      expect(replay.headers['idempotent-replayed']).toBe('true');
    } finally {
      if (before === undefined) delete process.env.MFSIM_IDEMPOTENCY_LEASE_SECONDS;
      else process.env.MFSIM_IDEMPOTENCY_LEASE_SECONDS = before;
      await app.close();
    }
  });
});

describe('no key in the clear', () => {
  it('replays POST /v1/keys without the key, which is stored nowhere', async () => {
    const app = await buildApp({ deps: service.deps, auth: { adminKey: ADMIN } });
    await app.ready();
    try {
      const sec = () => request(app.server).post('/v1/keys').set('Authorization', `Bearer ${ADMIN}`).set('Idempotency-Key', `key-${run}`);
      const first = await sec().send({ name: `ci ${run}`, role: 'read' });
      expect(first.status).toBe(201);
      const secret: string = first.body.key;
      expect(secret).toMatch(/^mfsim_/);
      const replay = await sec().send({ name: `ci ${run}`, role: 'read' });
      expect(replay.status).toBe(201);
      expect(replay.headers['idempotent-replayed']).toBe('true');
      expect(replay.body).toMatchObject({ id: first.body.id, prefix: first.body.prefix, key: null });
      expect(replay.body.keyWithheld).toMatch(/shown only in the first reply/);
      expect(JSON.stringify(replay.body)).not.toContain(secret);
      // Nowhere in Postgres (api_keys holds its sha256, the idempotency record the reply without it) nor in Redis.
      const { rows } = await service.deps.db.pool.query(
        `SELECT (SELECT count(*) FROM idempotency_records WHERE payload LIKE '%' || $1 || '%' OR headers::text LIKE '%' || $1 || '%')
              + (SELECT count(*) FROM api_keys WHERE hash = $1 OR name = $1 OR prefix = $1) AS n`,
        [secret],
      );
      expect(Number(rows[0].n)).toBe(0);
      expect(await redisStrings()).not.toContain(secret);
      expect(await redisStrings()).not.toContain(secret.slice(12));
    } finally {
      await app.close();
    }
  });

  it('redacts access_token from the request log however its name is encoded, as the query parser reads it', async () => {
    const lines: string[] = [];
    const app = await buildApp({ deps: service.deps, auth: { adminKey: ADMIN }, logger: { level: 'info', stream: { write: (l: string) => lines.push(l) } } });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const created = await request(app.server).post('/v1/keys').set('Authorization', `Bearer ${ADMIN}`).send({ name: `browser ${run}`, role: 'read' });
      const secret: string = created.body.key;
      const sim = await request(app.server).post('/v1/simulations').set('Authorization', `Bearer ${ADMIN}`).send(smallSpec({ name: `redact ${run}` }));
      // Each spelling is accepted by the parser as the key (the stream answers 200), and none is logged.
      for (const name of ['access_token', 'access%5Ftoken', '%61ccess_token', '%61ccess%5ftoken']) {
        expect(await replyStatus(app.server, `/v1/simulations/${sim.body.id}/events?${name}=${secret}`), name).toBe(200);
      }
      // A route that does not take the key in the query still logs the URL it was sent.
      expect((await request(app.server).get(`/v1/simulations?%61ccess_token=${secret}`)).status).toBe(401);
      await waitFor(async () => (lines.filter((l) => l.includes('%61ccess%5ftoken')).length > 0 ? true : undefined), 60_000, 'the log lines');
      const log = lines.join('\n');
      expect(log).toContain('access%5Ftoken=[redacted]');
      expect(log).toContain('%61ccess_token=[redacted]');
      expect(log).not.toContain(secret);
      expect(log).not.toContain(secret.slice(12));
    } finally {
      await app.close();
    }
  });
});
