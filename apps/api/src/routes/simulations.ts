// /v1/simulations: submit, list, read (trajectory.ts: trajectories and snapshots; simulation-control.ts: cancel, retry).
import type { FastifyInstance } from 'fastify';
import { idSchema, listQuerySchema } from '@mfsim/contracts';
import { findSimulation, InvalidCursorError, listSimulations, SweepFilterUnavailableError } from '@mfsim/db';
import { NotFoundError, parseOr400, RequestError } from '../errors.ts';
import { simulationReply } from '../replies.ts';
import { submitSimulation } from '../submission.ts';

export async function simulationOr404(app: FastifyInstance, id: string) {
  const row = idSchema.safeParse(id).success ? await findSimulation(app.deps.db, id) : null;
  if (!row) throw new NotFoundError(`simulation ${id}`);
  return row;
}

export default async function simulationRoutes(app: FastifyInstance) {
  app.post('/v1/simulations', async (request, reply) => {
    const row = await submitSimulation(app.deps, request.body);
    reply.status(201).header('Location', `/v1/simulations/${row.id}`);
    return simulationReply(row);
  });

  app.get('/v1/simulations', async (request) => {
    const q = parseOr400(listQuerySchema, request.query, 'query');
    try {
      const page = await listSimulations(app.deps.db, q);
      return { items: page.items.map(simulationReply), nextCursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new RequestError(400, err.message, [{ path: 'cursor', message: err.message }]);
      if (err instanceof SweepFilterUnavailableError) throw new RequestError(400, err.message, [{ path: 'sweep', message: err.message }]);
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/v1/simulations/:id', async (request) => {
    return simulationReply(await simulationOr404(app, request.params.id));
  });
}
