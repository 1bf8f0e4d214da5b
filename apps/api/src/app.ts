// The API as a Fastify app, built from plugins by a factory so tests can inject requests.
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { ApiDeps } from './deps.ts';
import errors from './errors.ts';
import healthRoutes from './routes/health.ts';
import simulationRoutes from './routes/simulations.ts';
import { openApiDocument } from './openapi.ts';

export interface AppOptions {
  deps: ApiDeps;
  logger?: FastifyServerOptions['logger'];
  /** Largest accepted request body; larger gets 413. */
  bodyLimit?: number;
}

export async function buildApp(options: AppOptions) {
  const app = Fastify({ logger: options.logger ?? false, bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024 });
  app.decorate('deps', options.deps);
  await app.register(errors);
  await app.register(healthRoutes);
  await app.register(simulationRoutes);
  await app.register(import('./routes/sweeps.ts'));
  await app.register(import('./routes/schedules.ts'));
  await app.register(import('@mfsim/dashboard')); // the lab's web page at /dashboard/
  const document = openApiDocument();
  app.get('/openapi.json', async () => document);
  return app;
}
