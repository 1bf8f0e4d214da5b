// What the throwaway Redis set-ups of the tests share (a cluster: redis-cluster.ts; a master with
// sentinels: redis-sentinel.ts): waiting for a server to be ready, owning the processes they
// started (only those are ever killed, also when the test process dies before its teardown), and
// the service (API and two workers) that their failover tests run on them.
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { Redis } from 'ioredis';
import { startWorker, workerConfig, type RunningWorker } from '@mfsim/testing';
import { buildApp } from '../src/app.ts';
import { openApiDeps } from '../src/services.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the Redis on `port` until `check` is true; throws after `timeoutMs`. */
export async function untilRedis(port: number, timeoutMs: number, check: (r: Redis) => Promise<boolean>, what = 'redis') {
  const end = Date.now() + timeoutMs;
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  r.on('error', () => {});
  try {
    for (;;) {
      if (await check(r).catch(() => false)) return;
      if (Date.now() > end) throw new Error(`${what} on ${port} not ready after ${timeoutMs} ms`);
      await sleep(200);
    }
  } finally {
    r.disconnect();
  }
}

export interface OwnedServers {
  /** True while the process on `port` runs. */
  alive(port: number): boolean;
  /** Kills the process on `port` at once (SIGKILL), as a crashed host would go. */
  kill(port: number): void;
  /** Kills every process, waits for them to exit, removes `dir`. */
  stop(): Promise<void>;
}

/**
 * Takes charge of `procs` (by port) and their folder `dir`: a watchdog shell kills exactly these
 * processes once the test process is gone, so a teardown cut off leaves no server behind.
 */
export function ownServers(procs: Map<number, ChildProcess>, dir: string): OwnedServers {
  const pids = [...procs.values()].map((c) => c.pid).join(' ');
  const watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${pids} 2>/dev/null`], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
  return {
    alive: (port) => {
      const c = procs.get(port);
      return c !== undefined && running(c);
    },
    kill: (port) => void procs.get(port)?.kill('SIGKILL'),
    async stop() {
      watchdog.kill('SIGKILL');
      for (const c of procs.values()) if (running(c)) c.kill('SIGKILL');
      await Promise.all([...procs.values()].map((c) => (running(c) ? new Promise((r) => c.once('exit', r)) : null)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The API (in this process) and two workers on the Redis at `redisUrl`, tuned for failover tests. */
export interface FailoverService {
  app: Awaited<ReturnType<typeof buildApp>>;
  /** Closes workers, API and connections, each bounded (closing a client whose server is gone can hang). */
  close(): Promise<void>;
}

const bounded = (p: Promise<unknown> | undefined, ms = 20_000) =>
  Promise.race([Promise.resolve(p).catch(() => {}), new Promise((r) => setTimeout(r, ms).unref())]);

export async function startFailoverService(redisUrl: string, appOptions: Omit<Parameters<typeof buildApp>[0], 'deps'> = {}): Promise<FailoverService> {
  const deps = openApiDeps({ redisUrl, memoryBudgetBytes: 1024 ** 3 });
  const app = await buildApp({ ...appOptions, deps });
  await app.ready();
  const env = {
    ...process.env, REDIS_URL: redisUrl, MFSIM_CHECKPOINT_SECONDS: '1',
    // A job whose lock was on the lost master is handed out again after a few seconds, not 30.
    MFSIM_LOCK_DURATION_MS: '5000', MFSIM_STALLED_INTERVAL_MS: '2000',
  };
  const workers: RunningWorker[] = [];
  for (let i = 0; i < 2; i++) workers.push(await startWorker(workerConfig(env), () => {}));
  return {
    app,
    async close() {
      await bounded(Promise.all(workers.map((w) => w.close())));
      await bounded(app.close());
      await bounded(deps.close());
    },
  };
}
