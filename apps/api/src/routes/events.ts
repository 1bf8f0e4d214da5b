// Live progress as Server-Sent Events: GET /v1/simulations/{id}/events and /v1/sweeps/{id}/events.
// Browsers' EventSource cannot send headers, so these two routes also take the key as
// `?access_token=<key>` (auth.ts; never logged, see app.ts).
import type { FastifyInstance } from 'fastify';
import { apiRoutes, FINAL_STATUSES, idSchema, SWEEP_FINAL } from '@mfsim/contracts';
import { findSimulation, findSweep, sweepProgress } from '@mfsim/db';
import { simulationEventsKey, sweepEventsKey } from '@mfsim/queue';
import { projectOf } from '../auth.ts';
import { NotFoundError } from '../errors.ts';
import { route } from '../route.ts';
import { streamEvents } from '../sse.ts';
import { sweepSummaryReply } from '../sweep-replies.ts';
import { simulationOr404 } from './simulations.ts';


export default async function eventRoutes(app: FastifyInstance) {
  route(app, apiRoutes.simulations.events, async (request, reply) => {
    const row = await simulationOr404(app, request.params.id, projectOf(request));
    await streamEvents(request, reply, {
      redis: app.deps.redis,
      key: simulationEventsKey(row.id),
      initial: {
        type: 'status',
        data: { simulationId: row.id, status: row.status, stepsDone: row.stepsDone, totalSteps: row.totalSteps, progress: row.progress, at: new Date().toISOString() },
      },
      finished: async () => {
        const now = await findSimulation(app.deps.db, row.id, row.project);
        return !now || FINAL_STATUSES.includes(now.status);
      },
    });
  });

  // Events: `status` of the sweep (its history in order, or its current state when the log has none yet; last `completed` or `cancelled`),
  // `child` when a child's status changes and `progress` as a child runs, both with the sweep's
  // progress over all children (`sweepProgress`) and its children counted by status (`counts`).
  route(app, apiRoutes.sweeps.events, async (request, reply) => {
    const id = request.params.id;
    const row = idSchema.safeParse(id).success ? await findSweep(app.deps.db, id, projectOf(request)) : null;
    if (!row) throw new NotFoundError(`sweep ${id}`);
    const summary = sweepSummaryReply(row, (await sweepProgress(app.deps.db, [row.id])).get(row.id));
    await streamEvents(request, reply, {
      redis: app.deps.redis,
      key: sweepEventsKey(row.id),
      initial: {
        type: 'status',
        data: { sweepId: row.id, status: summary.status, progress: summary.progress, counts: summary.counts, partial: summary.partial, at: new Date().toISOString() },
      },
      finished: async () => {
        const now = await findSweep(app.deps.db, row.id, row.project);
        return !now || SWEEP_FINAL.includes(now.status);
      },
    });
  });
}
