// /v1/simulations: submit, list, read (trajectory.ts: trajectories and snapshots; simulation-control.ts: cancel, retry).
import type { FastifyInstance } from 'fastify';
import { apiRoutes, idSchema } from '@mfsim/contracts';
import {
  findSimulation, InvalidCursorError, listSimulations, SweepFilterUnavailableError, updateSimulationLabels, type SimulationRow,
} from '@mfsim/db';
import { projectOf } from '../auth.ts';
import { NotFoundError, RequestError } from '../errors.ts';
import { route } from '../route.ts';
import { simulationReply } from '../replies.ts';
import { submitSimulation } from '../submission.ts';
import { idempotentWrite } from '../idempotency.ts';

/** The simulation of `project` (another project's id answers 404, as an unknown one does). */
export async function simulationOr404(app: FastifyInstance, id: string, project: string) {
  const row = idSchema.safeParse(id).success ? await findSimulation(app.deps.db, id, project) : null;
  if (!row) throw new NotFoundError(`simulation ${id}`);
  return row;
}

export default async function simulationRoutes(app: FastifyInstance) {
  route(app, apiRoutes.simulations.submit, async (request, reply) => {
    const location = (row: SimulationRow) => `/v1/simulations/${row.id}`;
    const idempotent = idempotentWrite<SimulationRow>(request, 201, (row) => ({ headers: { location: location(row) }, body: simulationReply(row) }));
    const row = await submitSimulation(app.deps, request.body, projectOf(request), { idempotent });
    reply.status(201).header('Location', location(row));
    return simulationReply(row);
  });

  route(app, apiRoutes.simulations.list, async (request) => {
    const q = request.query;
    try {
      const page = await listSimulations(app.deps.db, { ...q, project: projectOf(request) });
      return { items: page.items.map(simulationReply), nextCursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new RequestError(400, err.message, [{ path: 'cursor', message: err.message }]);
      if (err instanceof SweepFilterUnavailableError) throw new RequestError(400, err.message, [{ path: 'sweep', message: err.message }]);
      throw err;
    }
  });

  route(app, apiRoutes.simulations.get, async (request) => {
    return simulationReply(await simulationOr404(app, request.params.id, projectOf(request)));
  });

  route(app, apiRoutes.simulations.update, async (request) => {
    const project = projectOf(request);
    await simulationOr404(app, request.params.id, project);
    const row = await updateSimulationLabels(app.deps.db, request.params.id, project, request.body);
    if (!row) throw new NotFoundError(`simulation ${request.params.id}`);
    return simulationReply(row);
  });
}
