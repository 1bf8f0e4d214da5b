// Liveness (the process answers) and readiness (Postgres and Redis answer).
import type { FastifyInstance } from 'fastify';
import { databaseReachable } from '@mfsim/db';
import { redisReachable } from '@mfsim/queue';
import { apiRoutes } from '@mfsim/contracts';
import { route } from '../route.ts';
import { workerCensus } from '../worker-census.ts';

export default async function healthRoutes(app: FastifyInstance) {
  route(app, apiRoutes.ops.health, async () => ({ status: 'ok' }));

  route(app, apiRoutes.ops.ready, async (_request, reply) => {
    // Ready means the API can serve (Postgres and Redis answer); the workers are detail, with a
    // warning when a queue has jobs and no worker alive (the API is not the one to restart then).
    const [postgres, redis, census] = await Promise.all([databaseReachable(app.deps.db), redisReachable(app.deps.redis), workerCensus(app.deps)]);
    const ready = postgres && redis;
    reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'unavailable', postgres, redis, workers: census.workers, warnings: census.warnings };
  });
}
