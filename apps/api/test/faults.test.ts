// Faults with real processes, on a throwaway Postgres and Redis of this file's own (temporary
// folders, free ports; see @mfsim/test-servers): workers are child processes killed with
// SIGKILL or SIGTERM, the throwaway Postgres is stopped for longer than the old retries lasted,
// the throwaway Redis is killed and restarted without persistence. The machine's own servers are
// never touched. Every run is compared value for value with an uninterrupted run.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { loadCheckpoint, readTrajectory } from '@mfsim/db';
import { applyMigrations } from '../../../packages/db/src/migrate.ts';
import { buildApp } from '../src/app.ts';
import { openApiDeps } from '../src/services.ts';
import { recoverLostJobs, requeueExpiredLeases } from '../src/recovery.ts';
import { finishedSimulation, smallSpec, waitFor } from './harness.ts';
import { startThrowawayPostgres, startThrowawayRedis, type ThrowawayPostgres, type ThrowawayRedis } from '@mfsim/test-servers';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let pg: ThrowawayPostgres;
let redis: ThrowawayRedis;
let service: { app: Awaited<ReturnType<typeof buildApp>>; deps: ReturnType<typeof openApiDeps> };
const api = () => request(service.app.server);
const children = new Set<ChildProcess>();

function startWorkerProcess(extraEnv: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: pg.url,
      REDIS_URL: redis.url,
      MFSIM_KERNEL: 'reference', // deterministic, bit for bit, on every machine
      MFSIM_CHECKPOINT_SECONDS: '0.5',
      // Short enough for a killed worker's job to be taken over within seconds, long enough for a
      // busy machine (load 16 on 2 cores seen) to renew it in time.
      MFSIM_LOCK_DURATION_MS: '8000',
      MFSIM_STALLED_INTERVAL_MS: '2000',
      ...extraEnv,
    },
    stdio: ['ignore', process.env.MFSIM_TEST_VERBOSE ? 'inherit' : 'ignore', 'inherit'],
  });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return child;
}
/** Runs `check` with a worker process up; the worker is stopped after, whatever happened. */
async function withWorker(check: () => Promise<void>, env: Record<string, string> = {}): Promise<void> {
  const w = startWorkerProcess(env);
  try {
    await check();
  } finally {
    w.kill('SIGTERM');
    await exited(w);
  }
}
const exited = (c: ChildProcess) => new Promise<void>((r) => (c.exitCode !== null || c.signalCode !== null ? r() : c.once('exit', () => r())));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// A run of a few seconds on an idle machine (minutes on a loaded one) on the reference kernel, recording every 10 steps.
const longSpec = (name: string) =>
  smallSpec({ name, seed: 11, student: { unit: 'tanh', width: 64 }, training: { dynamics: 'sgd', batchSize: 128, dt: 0.1, steps: 1500 }, record: { every: 10, testSize: 128, probes: 2 } });

const status = async (id: string) => (await api().get(`/v1/simulations/${id}`)).body;
const finished = (id: string, timeoutMs = 480_000) => finishedSimulation(service.app, id, timeoutMs);
const checkpointed = (id: string) => waitFor(async () => ((await loadCheckpoint(service.deps.db, id))?.step ? true : undefined), 120_000, 'a checkpoint');
const progressed = (id: string) => waitFor(async () => ((await status(id)).stepsDone > 0 ? true : undefined), 120_000, 'progress');

const leaseOwner = async (id: string) =>
  (await service.deps.db.pool.query<{ leaseOwner: string | null }>('SELECT "leaseOwner" FROM simulations WHERE id = $1', [id])).rows[0]?.leaseOwner ?? null;
/** Waits until a worker other than `not` holds the simulation's lease; returns it. */
const claimedBy = (id: string, not: string | null) =>
  waitFor(async () => {
    const owner = await leaseOwner(id);
    return owner && owner !== not ? owner : undefined;
  }, 180_000, 'a worker to claim the run');

async function trajectoryOf(id: string) {
  return (await readTrajectory(service.deps.db, id)).map(({ replica, step, time, trainLoss, testLoss, testError }) => [replica, step, time, trainLoss, testLoss, testError]);
}

let reference: unknown[][];
let referenceDigest: string;

beforeAll(async () => {
  [pg, redis] = await Promise.all([startThrowawayPostgres(), startThrowawayRedis()]);
  await applyMigrations(pg.url);
  const deps = openApiDeps({ databaseUrl: pg.url, redisUrl: redis.url, memoryBudgetBytes: 4 * 1024 ** 3 });
  const app = await buildApp({ deps });
  await app.ready();
  service = { app, deps };
  // The run never interrupted, to compare with.
  await withWorker(async () => {
    const ref = await api().post('/v1/simulations').send(longSpec('uninterrupted'));
    expect((await finished(ref.body.id)).status).toBe('completed');
    reference = await trajectoryOf(ref.body.id);
    referenceDigest = (await status(ref.body.id)).trajectoryDigest;
  });
}, 600_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await service?.app.close();
  await service?.deps.close();
  await Promise.all([pg?.destroy(), redis?.destroy()]);
}, 120_000);

describe('worker faults', () => {
  it('resumes a job whose worker was killed (SIGKILL) from its checkpoint on a new worker, value for value', async () => {
    const id = (await api().post('/v1/simulations').send(longSpec('killed'))).body.id;
    const a = startWorkerProcess();
    await checkpointed(id);
    a.kill('SIGKILL');
    await exited(a);
    expect((await status(id)).status).toBe('running');
    await withWorker(async () => {
      expect((await finished(id)).status).toBe('completed');
      expect(await trajectoryOf(id)).toEqual(reference);
    });
  }, 600_000);

  it('hands a job back on SIGTERM (checkpointed, not failed); another worker finishes it', async () => {
    const id = (await api().post('/v1/simulations').send(longSpec('terminated'))).body.id;
    const a = startWorkerProcess();
    await progressed(id);
    a.kill('SIGTERM');
    await exited(a);
    expect(a.exitCode).toBe(0);
    expect((await status(id)).status).not.toBe('failed');
    expect((await loadCheckpoint(service.deps.db, id))?.step).toBeGreaterThan(0);
    expect(['waiting', 'prioritized']).toContain(await (await service.deps.queues.cpu.getJob(id))?.getState());
    await withWorker(async () => {
      expect((await finished(id)).status).toBe('completed');
      expect(await trajectoryOf(id)).toEqual(reference);
    });
  }, 600_000);
});

describe('quarantine and leases', () => {
  it('fails a job whose worker died twice without saving progress, with the reason, instead of handing it on; a retry runs it', async () => {
    const id = (await api().post('/v1/simulations').send(longSpec('kills its workers'))).body.id;
    const noCheckpoints = { MFSIM_CHECKPOINT_SECONDS: '3600' };
    let previous: string | null = null;
    for (let death = 1; death <= 2; death++) {
      const w = startWorkerProcess(noCheckpoints);
      previous = await claimedBy(id, previous);
      w.kill('SIGKILL');
      await exited(w);
    }
    await withWorker(async () => {
      const end = await finished(id);
      expect(end.status).toBe('failed');
      expect(end.error).toMatch(/^quarantined: the worker running it died 2 times in a row without saving progress/);
      expect((await api().post(`/v1/simulations/${id}/retry`)).status).toBe(202);
      expect((await finished(id)).status).toBe('completed');
      expect(await trajectoryOf(id)).toEqual(reference);
    });
  }, 600_000);

  it('queues again a running simulation whose worker died after Redis lost its job (lease expired), and it completes value for value', async () => {
    const id = (await api().post('/v1/simulations').send(longSpec('lease expired'))).body.id;
    // An early first checkpoint, and the worker frozen (SIGSTOP) as soon as it is seen: on a fast
    // machine the run otherwise finished while Redis was being restarted (the scenario never happened).
    const a = startWorkerProcess({ MFSIM_LEASE_SECONDS: '4', MFSIM_CHECKPOINT_SECONDS: '0.1' });
    await checkpointed(id);
    a.kill('SIGSTOP');
    expect((await status(id)).status).toBe('running');
    await redis.kill();
    await redis.start();
    a.kill('SIGKILL');
    await exited(a);
    expect((await status(id)).status).toBe('running');
    // The API's recovery pass (every MFSIM_RECOVERY_SECONDS in the service), run here by hand.
    await waitFor(async () => ((await requeueExpiredLeases(service.deps)).includes(id) ? true : undefined), 120_000, 'the lease to expire');
    expect((await recoverLostJobs(service.deps, { settleMs: 100 })).simulations).toContain(id);
    await withWorker(async () => {
      const end = await finished(id);
      expect(end.status).toBe('completed');
      expect(await trajectoryOf(id)).toEqual(reference);
      expect(end.trajectoryDigest).toBe(referenceDigest);
    });
  }, 600_000);
});

describe('service faults (throwaway servers)', () => {
  // Long (over two minutes of outage): the bar is an outage of at least 2 minutes, ridden
  // out with the default MFSIM_DB_OUTAGE_SECONDS (600).
  it('rides out a 125 s Postgres outage (long test): 503 meanwhile, the run pauses with its state and then completes value for value', async () => {
    const OUTAGE_MS = 125_000;
    const id = (await api().post('/v1/simulations').send(longSpec('postgres down'))).body.id;
    await withWorker(async () => {
      await progressed(id);
      await pg.stop();
      let restartedAt: number;
      try {
        const r = await api().get(`/v1/simulations/${id}`);
        expect(r.status).toBe(503);
        expect(r.body.statusCode).toBe(503);
        expect((await api().get('/readyz')).status).toBe(503);
        await sleep(OUTAGE_MS);
      } finally {
        await pg.start();
        restartedAt = Date.now();
      }
      await waitFor(async () => ((await api().get('/readyz')).status === 200 ? true : undefined), 120_000, 'ready again'); // reconnections back off
      // Its lease ran out during the outage, but its job is live: recovery leaves it to its worker.
      expect(await requeueExpiredLeases(service.deps)).not.toContain(id);
      const end = await finished(id);
      expect(end.status).toBe('completed');
      // Its completion was written after Postgres came back: the run was in progress during the outage.
      expect(new Date(end.finishedAt).getTime()).toBeGreaterThanOrEqual(restartedAt - 1_000);
      expect(await trajectoryOf(id)).toEqual(reference);
      expect(end.trajectoryDigest).toBe(referenceDigest);
    });
  }, 900_000);

  it('completes a run with nothing lost when Redis is killed and restarted without persistence under it', async () => {
    const id = (await api().post('/v1/simulations').send(longSpec('redis restarted'))).body.id;
    await withWorker(async () => {
      await progressed(id);
      await redis.kill();
      await redis.start();
      await waitFor(async () => ((await api().get('/readyz')).status === 200 ? true : undefined), 120_000, 'redis back'); // reconnections back off
      expect((await finished(id)).status).toBe('completed');
      expect(await trajectoryOf(id)).toEqual(reference);
    });
  }, 600_000);
});
