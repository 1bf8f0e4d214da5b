// Faults with real processes: workers are child processes (`node --import tsx apps/worker/src/main.ts`)
// killed with SIGKILL or SIGTERM; Postgres is stopped and Redis restarted under a running job.
// Every test puts a stopped service back in `finally`.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import request from 'supertest';
import { loadCheckpoint, readTrajectory } from '@mfsim/db';
import { finishedSimulation, smallSpec, startService, waitFor } from './harness.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
let service: Awaited<ReturnType<typeof startService>>;
const api = () => request(service.app.server);
const children = new Set<ChildProcess>();

function startWorkerProcess(extraEnv: Record<string, string> = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/worker/src/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      ...extraEnv,
      MFSIM_KERNEL: 'reference', // deterministic, bit for bit, on every machine
      MFSIM_CHECKPOINT_SECONDS: '0.5',
      MFSIM_LOCK_DURATION_MS: '2000',
      MFSIM_STALLED_INTERVAL_MS: '1000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
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

// A run of a few seconds on the reference kernel, recording every 10 steps.
const longSpec = (name: string) =>
  smallSpec({ name, seed: 11, student: { unit: 'tanh', width: 64 }, training: { dynamics: 'sgd', batchSize: 128, dt: 0.1, steps: 3000 }, record: { every: 10, testSize: 128, probes: 2 } });

const status = async (id: string) => (await api().get(`/v1/simulations/${id}`)).body;
const finished = (id: string, timeoutMs = 90_000) => finishedSimulation(service.app, id, timeoutMs);
const checkpointed = (id: string) => waitFor(async () => ((await loadCheckpoint(service.deps.db, id))?.step ? true : undefined), 60_000, 'a checkpoint');

async function trajectoryOf(id: string) {
  return (await readTrajectory(service.deps.db, id)).map(({ replica, step, time, trainLoss, testLoss, testError }) => [replica, step, time, trainLoss, testLoss, testError]);
}

let reference: unknown[][];

beforeAll(async () => {
  service = await startService();
  // The run never interrupted, to compare with.
  await withWorker(async () => {
    const ref = await api().post('/v1/simulations').send(longSpec('uninterrupted'));
    expect((await finished(ref.body.id)).status).toBe('completed');
    reference = await trajectoryOf(ref.body.id);
  });
}, 120_000);

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  await service?.close();
});

describe('worker faults', () => {
  it('resumes a job whose worker was killed (SIGKILL) from its checkpoint on a new worker, value for value', async () => {
    const post = await api().post('/v1/simulations').send(longSpec('killed'));
    const id = post.body.id;
    const a = startWorkerProcess();
    await checkpointed(id);
    a.kill('SIGKILL');
    await exited(a);
    expect((await status(id)).status).toBe('running');
    await withWorker(async () => {
      expect((await finished(id)).status).toBe('completed');
      const got = await trajectoryOf(id);
      expect(got.length).toBe(reference.length);
      expect(got).toEqual(reference);
    });
  }, 120_000);

  it('fails a job that stalled more often than allowed, with the reason, and it can be retried from its checkpoint', async () => {
    const post = await api().post('/v1/simulations').send(longSpec('lost'));
    const id = post.body.id;
    const a = startWorkerProcess({ MFSIM_MAX_STALLS: '0' });
    await checkpointed(id);
    a.kill('SIGKILL');
    await exited(a);
    // The next worker finds the job stalled once, more than the 0 stalls allowed: it fails it.
    await withWorker(async () => {
      const lost = await finished(id, 30_000);
      expect(lost.status).toBe('failed');
      expect(lost.error).toMatch(/^the job was lost: job stalled more than allowable limit/);
      const retry = await api().post(`/v1/simulations/${id}/retry`);
      expect(retry.status).toBe(202);
      expect(retry.body.resumesFromStep).toBeGreaterThan(0);
      expect((await finished(id)).status).toBe('completed');
      expect(await trajectoryOf(id)).toEqual(reference);
    }, { MFSIM_MAX_STALLS: '0' });
  }, 120_000);

  it('hands a job back on SIGTERM (checkpointed, not failed); another worker finishes it', async () => {
    const post = await api().post('/v1/simulations').send(longSpec('terminated'));
    const id = post.body.id;
    const a = startWorkerProcess();
    await waitFor(async () => ((await status(id)).stepsDone > 0 ? true : undefined), 60_000, 'progress');
    a.kill('SIGTERM');
    await exited(a);
    expect(a.exitCode).toBe(0);
    const after = await status(id);
    expect(after.status).not.toBe('failed');
    expect((await loadCheckpoint(service.deps.db, id))?.step).toBeGreaterThan(0);
    expect(['waiting', 'prioritized']).toContain(await (await service.deps.queues.cpu.getJob(id))?.getState());
    await withWorker(async () => {
      expect((await finished(id)).status).toBe('completed');
      expect(await trajectoryOf(id)).toEqual(reference);
    });
  }, 120_000);
});

describe('service faults', () => {
  const cluster = readdirSync('/etc/postgresql')[0];
  const pg = (action: 'stop' | 'start') => execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster, 'main', action], { stdio: 'ignore' });

  it('answers 503 while Postgres is stopped, recovers without a restart, and the worker retries its writes', async () => {
    const post = await api().post('/v1/simulations').send(longSpec('postgres down'));
    const id = post.body.id;
    await withWorker(async () => {
      await waitFor(async () => ((await status(id)).stepsDone > 0 ? true : undefined), 60_000, 'progress');
      try {
        pg('stop');
        const r = await api().get(`/v1/simulations/${id}`);
        expect(r.status).toBe(503);
        expect(r.body.statusCode).toBe(503);
        expect((await api().get('/readyz')).status).toBe(503);
        await new Promise((res) => setTimeout(res, 1500));
      } finally {
        pg('start');
      }
      await waitFor(async () => ((await api().get('/readyz')).status === 200 ? true : undefined), 30_000, 'ready again');
      expect((await finished(id)).status).toBe('completed');
      expect(await trajectoryOf(id)).toEqual(reference);
    });
  }, 120_000);

  it('completes a run with nothing lost when Redis restarts under it', async () => {
    const post = await api().post('/v1/simulations').send(longSpec('redis restarted'));
    const id = post.body.id;
    await withWorker(async () => {
      await waitFor(async () => ((await status(id)).stepsDone > 0 ? true : undefined), 60_000, 'progress');
      try {
        execFileSync('redis-cli', ['shutdown', 'nosave'], { stdio: 'ignore' });
      } catch {
        // shutdown closes the connection it came on
      } finally {
        execFileSync('redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log'], { stdio: 'ignore' });
      }
      await waitFor(async () => ((await api().get('/readyz')).status === 200 ? true : undefined), 30_000, 'redis back');
      expect((await finished(id)).status).toBe('completed');
      expect(await trajectoryOf(id)).toEqual(reference);
    });
  }, 120_000);
});
