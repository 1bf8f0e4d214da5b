// GET /v1/simulations/{id}/events: live progress and status changes as Server-Sent Events.
import type { FastifyInstance } from 'fastify';
import { FINAL_STATUSES } from '@mfsim/contracts';
import { findSimulation } from '@mfsim/db';
import { simulationEventsKey } from '@mfsim/queue';
import { streamEvents } from '../sse.ts';
import { simulationOr404 } from './simulations.ts';

export default async function eventRoutes(app: FastifyInstance) {
  app.get<{ Params: { id: string } }>('/v1/simulations/:id/events', async (request, reply) => {
    const row = await simulationOr404(app, request.params.id);
    await streamEvents(request, reply, {
      redis: app.deps.redis,
      key: simulationEventsKey(row.id),
      initial: {
        type: 'status',
        data: { simulationId: row.id, status: row.status, stepsDone: row.stepsDone, totalSteps: row.totalSteps, progress: row.progress, at: new Date().toISOString() },
      },
      finished: async () => {
        const now = await findSimulation(app.deps.db, row.id);
        return !now || FINAL_STATUSES.includes(now.status);
      },
    });
  });
}
