// The service (API in this process and two workers) that the failover tests run on a throwaway Redis
// cluster or sentinel set (@mfsim/test-servers).
import { startWorker, workerConfig, type RunningWorker } from './harness.ts';
import { buildApp } from '../src/app.ts';
import { openApiDeps } from '../src/services.ts';

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
