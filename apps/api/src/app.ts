// The API as a Fastify app, built from plugins by a factory so tests can inject requests.
import Fastify, { type FastifyServerOptions } from 'fastify';
import type { ApiDeps } from './deps.ts';
import errors, { frameworkErrors } from './errors.ts';
import healthRoutes from './routes/health.ts';
import simulationRoutes from './routes/simulations.ts';
import auth, { redactAccessToken, type AuthOptions } from './auth.ts';
import idempotency from './idempotency.ts';
import docs from './docs.ts';
import metricsRoutes from './metrics.ts';
import keyRoutes from './routes/keys.ts';
import trajectoryRoutes from './routes/trajectory.ts';
import simulationControlRoutes from './routes/simulation-control.ts';
import eventRoutes from './routes/events.ts';
import { securityFromEnv, type SecurityOptions } from './security-config.ts';
import headers from './headers.ts';
import { authFailures, keyInFlight } from './client-bounds.ts';

export interface AppOptions {
  deps: ApiDeps;
  logger?: FastifyServerOptions['logger'];
  /** Largest accepted request body; larger gets 413. */
  bodyLimit?: number;
  /** API keys: on with these options; off with `false`; default: on when API_ADMIN_KEY is set. */
  auth?: AuthOptions | false;
  /** Cost bounds and surfaces (security-config.ts); each left out comes from the environment. */
  security?: Partial<SecurityOptions>;
}

function authFromEnv(env = process.env): AuthOptions | undefined {
  if (!env.API_ADMIN_KEY) return undefined;
  const perMinute = Number(env.API_RATE_LIMIT_PER_MINUTE);
  return { adminKey: env.API_ADMIN_KEY, ...(Number.isFinite(perMinute) && perMinute > 0 && { rateLimitPerMinute: perMinute }) };
}

/** The logger with requests written without their `access_token` (the SSE routes' key). */
function redactingLogger(logger: AppOptions['logger']): AppOptions['logger'] {
  if (!logger) return false;
  const base = logger === true ? {} : logger;
  return {
    ...base,
    serializers: {
      ...base.serializers,
      req: (req: { method: string; url: string; host?: string; ip?: string; socket?: { remotePort?: number } }) => ({
        method: req.method, url: redactAccessToken(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort,
      }),
    },
  };
}

export async function buildApp(options: AppOptions) {
  const app = Fastify({ logger: redactingLogger(options.logger), bodyLimit: options.bodyLimit ?? 16 * 1024 * 1024, frameworkErrors });
  const security: SecurityOptions = { ...securityFromEnv(), ...options.security };
  app.decorate('security', security);
  const { maxFlopsPerSubmission, maxBytesPerSubmission, maxQueuedFlopsPerProject } = security;
  app.decorate('deps', { ...options.deps, quotas: { maxFlopsPerSubmission, maxBytesPerSubmission, maxQueuedFlopsPerProject } });
  // Every route as registered (the OpenAPI test checks each is documented).
  const routes: { method: string; url: string }[] = [];
  app.decorate('routeTable', routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push({ method, url: route.url });
  });
  await app.register(errors);
  await app.register(headers);
  await app.register(authFailures); // before auth: an address that keeps failing is refused before any lookup
  await app.register(auth, { auth: options.auth === false ? undefined : (options.auth ?? authFromEnv()) });
  await app.register(keyInFlight);
  await app.register(idempotency);
  await app.register(docs); // before the routes: the document is made from each route as it is registered
  await app.register(healthRoutes);
  await app.register(simulationRoutes);
  await app.register(import('./routes/sweeps.ts'));
  await app.register(import('./routes/schedules.ts'));
  await app.register(import('@mfsim/dashboard')); // the lab's web page at /dashboard/
  await app.register(trajectoryRoutes);
  await app.register(import('./routes/probes.ts'));
  await app.register(import('./routes/birth-death.ts'));
  await app.register(simulationControlRoutes);
  await app.register(eventRoutes);
  await app.register(keyRoutes);
  await app.register(import('./routes/datasets.ts'));
  await app.register(import('./routes/limits.ts'));
  await app.register(import('./routes/exports.ts'));
  await app.register(metricsRoutes);
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered, one entry per method. */
    routeTable: { method: string; url: string }[];
  }
}
