// The real service for system tests (apps/api, tests/e2e and packages/cli use it): the API app on
// the test database and Redis (npm test prepares both), and, when asked, a worker in this process
// taking jobs from the same queues. The API comes from the caller (`serviceHarness({ buildApp,
// openApiDeps })`, bound once in each package's tests), so this package does not depend on the API
// it tests: the API's own tests use it too.
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll } from 'vitest';
import { FINAL_STATUSES } from '@mfsim/contracts';
import { startWorker, type RunningWorker } from '@mfsim/worker/simulation-worker';
import { workerConfig } from '@mfsim/worker/config';

export { startWorker, workerConfig, type RunningWorker };

/** What the harness takes of the API (apps/api's `buildApp` and `openApiDeps`). */
export interface TestedApi<App extends ServedApp, Deps extends { close(): Promise<void> }, Security> {
  openApiDeps(options: { memoryBudgetBytes: number }): Deps;
  buildApp(options: { deps: NoInfer<Deps>; security?: Partial<Security>; auth?: { adminKey: string } }): Promise<App>;
}

/** The parts of the API's Fastify app that the harness uses. */
export interface ServedApp {
  server: Server;
  ready(): PromiseLike<unknown>;
  listen(options: { port: number; host: string }): PromiseLike<unknown>;
  close(): PromiseLike<unknown>;
}

export interface ServiceOptions<Security = unknown> {
  memoryBudgetBytes?: number;
  adminKey?: string;
  security?: Partial<Security>;
}

/** Makes `app` listen on a free local port; its base URL. */
export async function listenLocally(app: ServedApp): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

export async function startTestWorker(env: Record<string, string> = {}): Promise<RunningWorker> {
  return startWorker(workerConfig({ ...process.env, MFSIM_CHECKPOINT_SECONDS: '1', ...env }), () => {});
}

/** The service starters on `api`: the API app alone, for a whole test file, or over HTTP with a worker. */
export function serviceHarness<App extends ServedApp, Deps extends { close(): Promise<void> }, Security>(api: TestedApi<App, Deps, Security>) {
  async function startService(options: ServiceOptions<Security> = {}) {
    const deps = api.openApiDeps({ memoryBudgetBytes: options.memoryBudgetBytes ?? 4 * 1024 ** 3 });
    const app = await api.buildApp({ deps, security: options.security, ...(options.adminKey !== undefined && { auth: { adminKey: options.adminKey } }) });
    await app.ready();
    return {
      app,
      deps,
      async close() {
        await app.close();
        await deps.close();
      },
    };
  }

  /**
   * The service for the whole test file (started before its tests, closed after), with an in-process
   * worker when `worker` is true (its environment: `workerEnv`); `api()` requests it with supertest.
   * `held` is filled once the file's tests start.
   */
  function useService(options: ServiceOptions<Security> & { worker?: boolean; workerEnv?: Record<string, string> } = {}) {
    const held: { service?: Awaited<ReturnType<typeof startService>>; worker?: RunningWorker } = {};
    beforeAll(async () => {
      held.service = await startService(options);
      if (options.worker) held.worker = await startTestWorker(options.workerEnv);
    });
    afterAll(async () => {
      await held.worker?.close();
      await held.service?.close();
    });
    return {
      held,
      api: () => request(held.service!.app.server),
      get app() {
        return held.service!.app;
      },
      get deps() {
        return held.service!.deps;
      },
    };
  }

  /** The API listening on a free port over real HTTP, and a worker (its environment: `workerEnv`). */
  async function startHttpService(options: ServiceOptions<Security> & { workerEnv?: Record<string, string> } = {}) {
    const service = await startService(options);
    const url = await listenLocally(service.app);
    const worker = await startTestWorker(options.workerEnv);
    return {
      service,
      url,
      async close() {
        await worker.close();
        await service.close();
      },
    };
  }

  return { startService, useService, startHttpService };
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Polls GET /v1/simulations/{id} until the simulation's status is final and returns that reply.
 * An error or a reply without a status (a 503 while Postgres is down) means: ask again.
 */
export function finishedSimulation(app: { server: Server }, id: string, timeoutMs = 60_000) {
  return waitFor(async () => {
    const body = (await request(app.server).get(`/v1/simulations/${id}`).catch(() => undefined))?.body;
    return FINAL_STATUSES.includes(body?.status) ? body : undefined;
  }, timeoutMs, `simulation ${id} to finish`);
}

/** A small spec that runs in well under a second. */
export function smallSpec(overrides: Record<string, unknown> = {}) {
  return {
    name: 'small teacher',
    seed: 7,
    replicas: 2,
    inputs: { kind: 'gaussian', d: 4 },
    target: { kind: 'teacher', unit: 'tanh', width: 3 },
    student: { unit: 'tanh', width: 16 },
    training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 200 },
    record: { every: 20, testSize: 256, probes: 4 },
    ...overrides,
  };
}

/** The status of a reply's head on a listening server, without waiting for its body (an event stream never ends). */
export function replyStatus(server: Server, path: string): Promise<number> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path }, (res) => {
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', reject);
  });
}

/** supertest `.parse()` for an event stream: the whole body as text, once the stream ends. */
export const sseText = (res: request.Response, cb: (err: Error | null, body: string) => void) => {
  let s = '';
  const stream = res as unknown as NodeJS.ReadableStream;
  stream.on('data', (c: Buffer) => (s += c));
  stream.on('end', () => cb(null, s));
};

/** The frames of an event stream's text: id (absent for the current-state snapshot), type, JSON data. */
export const sseEvents = (text: string) =>
  [...text.matchAll(/^(?:id: (\S+)\n)?event: (\S+)\ndata: (.*)$/gm)].map((m) => ({ id: m[1], type: m[2], data: JSON.parse(m[3]) }));
