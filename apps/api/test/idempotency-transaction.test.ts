// An Idempotency-Key's reply is written in the transaction of the run (or the sweep and its
// children) it made. Before, the rows were committed first and the reply recorded when the reply was
// sent: an API killed between the two left a pending record that, once its short lease ran out, let
// the client's retry make a second run. Here a real API process (on the test database and a
// throwaway Redis) is killed with SIGKILL right after the commit (Redis is paused, or refuses
// writes, so that the job or flow cannot be queued), and the retry must replay the first run or
// sweep. A failure inside the transaction after the rows are written leaves neither rows nor reply,
// and the retry makes exactly one. A request whose key was taken over meanwhile writes nothing.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { claimIdempotencyKey, createSimulation, IdempotencyKeyLostError } from '@mfsim/db';
import { specSchema } from '@mfsim/contracts';
import { buildApp } from '../src/app.ts';
import { openApiDeps } from '../src/services.ts';
import { idempotencyScope } from '../src/idempotency.ts';
import { recoverLostJobs } from '../src/recovery.ts';
import { freePort, startThrowawayRedis, type ThrowawayRedis } from '@mfsim/test-servers';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const run = randomUUID().slice(0, 8);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
// Placed on the CPU queue without asking Redis (resources.gpu "no"), so the row is written while Redis hangs.
const spec = (name: string) => ({
  name, seed: 5, replicas: 1, resources: { gpu: 'no' },
  inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
  student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 16, dt: 0.2, steps: 20 }, record: { every: 10, testSize: 16, probes: 0 },
});

let redis: ThrowawayRedis;
let deps: ReturnType<typeof openApiDeps>;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  redis = await startThrowawayRedis();
  deps = openApiDeps({ databaseUrl: process.env.DATABASE_URL, redisUrl: redis.url, memoryBudgetBytes: 4 * 1024 ** 3 });
});
afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await deps?.close();
  await redis?.destroy();
});

const rowsNamed = async (name: string) =>
  (await deps.db.pool.query<{ id: string }>('SELECT id FROM simulations WHERE name = $1', [name])).rows.map((r) => r.id);
const sweepsNamed = async (name: string) =>
  (await deps.db.pool.query<{ id: string }>('SELECT id FROM sweeps WHERE name = $1', [name])).rows.map((r) => r.id);
const childrenOf = async (sweepId: string) =>
  (await deps.db.pool.query<{ id: string }>('SELECT id FROM simulations WHERE "sweepId" = $1 ORDER BY id', [sweepId])).rows.map((r) => r.id);
const sweepBody = (name: string) => ({ name, base: spec(name), grid: { 'student.width': [4, 8] } });

/** The API as its own process on the test database and the throwaway Redis, with a 1 s idempotency lease. */
async function spawnApi(): Promise<{ api: ChildProcess; base: string }> {
  const port = await freePort();
  const api = spawn(process.execPath, ['--import', 'tsx', 'apps/api/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env, DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: redis.url, PORT: String(port), HOST: '127.0.0.1',
      API_ADMIN_KEY: '', MFSIM_IDEMPOTENCY_LEASE_SECONDS: '1', MFSIM_RECOVERY_SECONDS: '0',
    },
    stdio: 'ignore',
  });
  children.add(api);
  const base = `http://127.0.0.1:${port}`;
  await until(async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), 'the API process to be ready', 180_000);
  return { api, base };
}

const killed = (api: ChildProcess) => {
  api.kill('SIGKILL');
  return new Promise((r) => (api.exitCode !== null || api.signalCode !== null ? r(null) : api.once('exit', r)));
};

/** An in-process API on the test deps with a 1 s idempotency lease, for the retries. */
async function withApp<T>(fn: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<T>): Promise<T> {
  process.env.MFSIM_IDEMPOTENCY_LEASE_SECONDS = '1';
  const app = await buildApp({ deps });
  await app.ready();
  try {
    return await fn(app);
  } finally {
    delete process.env.MFSIM_IDEMPOTENCY_LEASE_SECONDS;
    await app.close();
  }
}

async function until<T>(check: () => Promise<T | undefined>, what: string, ms = 120_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('the idempotency record commits with the run', () => {
  it('an API killed right after writing the run: the retry after the lease replays it, no second run', async () => {
    const { api, base } = await spawnApi();
    const name = `killed after commit ${run}`;
    const key = `killed-${run}`;
    redis.pause();
    let dead = false;
    try {
      // The POST writes the row, then waits on the paused Redis to queue the job; the API dies there.
      const post = fetch(`${base}/v1/simulations`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(spec(name)),
      }).catch(() => null);
      await until(async () => ((await rowsNamed(name)).length === 1 ? true : undefined), 'the run to be written');
      await killed(api);
      dead = true;
      expect(await post).toBeNull();
    } finally {
      redis.resume();
      if (!dead) api.kill('SIGKILL');
    }
    const [first] = await rowsNamed(name);

    await withApp(async (app) => {
      await sleep(1_500); // past the 1 s lease of a pending record: a record left pending would be taken over now
      const retry = await request(app.server).post('/v1/simulations').set('Idempotency-Key', key).send(spec(name));
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.headers.location).toBe(`/v1/simulations/${first}`);
      expect(retry.body).toMatchObject({ id: first, status: 'queued', name });
      expect(await rowsNamed(name)).toEqual([first]);
      // Nor is the run lost: its job is queued (by the dead API's last command, which the paused
      // Redis may still have read, or else by recovery from Postgres).
      await recoverLostJobs(deps, { settleMs: 100 });
      expect(await deps.queues.cpu.getJob(first)).toBeDefined();
    });
  }, 300_000);

  it('a sweep: an API killed right after writing it and its children, the retry after the lease replays it, no second sweep', async () => {
    const { api, base } = await spawnApi();
    const name = `sweep killed after commit ${run}`;
    const key = `sweep-killed-${run}`;
    // From here Redis refuses writes (reads go on): the API checks the request (reading the worker
    // registry), writes the sweep and its children, then waits to queue their flow; it dies there.
    await deps.redis.call('CLIENT', 'PAUSE', '600000', 'WRITE');
    let dead = false;
    try {
      const post = fetch(`${base}/v1/sweeps`, {
        method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify(sweepBody(name)),
      }).catch(() => null);
      await until(async () => ((await sweepsNamed(name)).length === 1 ? true : undefined), 'the sweep to be written');
      await killed(api);
      dead = true;
      expect(await post).toBeNull();
    } finally {
      await deps.redis.call('CLIENT', 'UNPAUSE');
      if (!dead) api.kill('SIGKILL');
    }
    const [first] = await sweepsNamed(name);
    const firstChildren = await childrenOf(first);
    expect(firstChildren).toHaveLength(2);

    await withApp(async (app) => {
      await sleep(1_500); // past the 1 s lease of a pending record: a record left pending would be taken over now
      const retry = await request(app.server).post('/v1/sweeps').set('Idempotency-Key', key).send(sweepBody(name));
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBe('true');
      expect(retry.headers.location).toBe(`/v1/sweeps/${first}`);
      expect(retry.body).toMatchObject({ id: first, name, status: 'queued', progress: 0, counts: { queued: 2 } });
      expect(retry.body.children.map((c: { simulationId: string }) => c.simulationId).sort()).toEqual(firstChildren);
      expect(await sweepsNamed(name)).toEqual([first]);
      expect(await childrenOf(first)).toEqual(firstChildren);
      // Nor is the sweep lost: recovery queues the children the dead API could not.
      await recoverLostJobs(deps, { settleMs: 100 });
      for (const id of firstChildren) expect(await deps.queues.cpu.getJob(id), id).toBeDefined();
    });
  }, 300_000);

  it.each([
    ['POST /v1/sweeps', '/v1/sweeps', sweepBody, sweepsNamed],
    ['POST /v1/simulations', '/v1/simulations', spec, rowsNamed],
  ] as const)('%s: a failure inside the transaction after the rows are written leaves neither rows nor a reply; the retry makes exactly one', async (_, path, body, named) => {
    const name = `failed in transaction ${path} ${run}`;
    const key = `failed-${path}-${run}`;
    const fn = `fail_idempotency_${run.replace(/-/g, '')}_${path.endsWith('sweeps') ? 'sweep' : 'sim'}`;
    // The reply is recorded last in the transaction, after the rows: make that statement fail for this request only.
    await deps.db.pool.query(`CREATE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.payload LIKE '%${name}%' THEN RAISE EXCEPTION 'injected failure after the rows'; END IF; RETURN NEW; END $$`);
    await deps.db.pool.query(`CREATE TRIGGER ${fn} BEFORE UPDATE ON idempotency_records FOR EACH ROW EXECUTE FUNCTION ${fn}()`);
    await withApp(async (app) => {
      try {
        const failed = await request(app.server).post(path).set('Idempotency-Key', key).send(body(name));
        expect(failed.status).toBe(500);
        expect(failed.body.message).not.toMatch(/injected|idempotency_records|\n\s+at /);
        expect(await named(name)).toEqual([]);
        expect(await rowsNamed(name)).toEqual([]);
        const left = await deps.db.pool.query('SELECT 1 FROM idempotency_records WHERE "keyHash" = $1', [createHash('sha256').update(key).digest('hex')]);
        expect(left.rowCount).toBe(0);
      } finally {
        await deps.db.pool.query(`DROP TRIGGER ${fn} ON idempotency_records`);
        await deps.db.pool.query(`DROP FUNCTION ${fn}()`);
      }
      const retry = await request(app.server).post(path).set('Idempotency-Key', key).send(body(name));
      expect(retry.status).toBe(201);
      expect(retry.headers['idempotent-replayed']).toBeUndefined();
      const again = await request(app.server).post(path).set('Idempotency-Key', key).send(body(name));
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body.id).toBe(retry.body.id);
      expect(await named(name)).toEqual([retry.body.id]);
    });
  }, 120_000);

  it('a request whose key was taken over (its lease ran out) writes no run', async () => {
    const name = `taken over ${run}`;
    const k = { scope: idempotencyScope(null), keyHash: createHash('sha256').update(`taken-${run}`).digest('hex'), fingerprint: 'f', ttlSeconds: 3600 };
    const slow = await claimIdempotencyKey(deps.db, { ...k, leaseSeconds: 1 });
    expect(slow.claimed).toBe(true);
    await sleep(1_500);
    const retry = await claimIdempotencyKey(deps.db, { ...k, leaseSeconds: 30 });
    expect(retry.claimed).toBe(true);
    const parsed = specSchema.parse(spec(name));
    const write = createSimulation(deps.db, { spec: parsed, seed: 5, totalSteps: 20 }, {
      idempotent: { ...k, claim: slow.claimed ? slow.claim : '', reply: (row) => ({ statusCode: 201, headers: {}, payload: row.id }) },
    });
    await expect(write).rejects.toBeInstanceOf(IdempotencyKeyLostError);
    expect(await rowsNamed(name)).toEqual([]);
  });
});
