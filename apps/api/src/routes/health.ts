// Liveness (the process answers) and readiness (Postgres and Redis answer).
import type { FastifyInstance } from 'fastify';
import { databaseReachable } from '@mfsim/db';
import { redisReachable } from '@mfsim/queue';
import { apiRoutes } from '@mfsim/contracts';
import { route } from '../route.ts';

export default async function healthRoutes(app: FastifyInstance) {
  route(app, apiRoutes.ops.health, async () => ({ status: 'ok' }));

  route(app, apiRoutes.ops.ready, async (_request, reply) => {
    const [postgres, redis] = await Promise.all([databaseReachable(app.deps.db), redisReachable(app.deps.redis)]);
    const ready = postgres && redis;
    reply.status(ready ? 200 : 503);
    return { status: ready ? 'ready' : 'unavailable', postgres, redis };
  });
}
