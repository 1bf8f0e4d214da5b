// GET /v1/simulations/{id}/birth-death: per recorded step, the births and deaths of each replica
// since the previous recorded step (runs with training.birthDeath; see engine birth-death.ts).
import type { FastifyInstance } from 'fastify';
import { apiRoutes, type Spec } from '@mfsim/contracts';
import { readBirthDeath } from '@mfsim/db';
import { projectOf } from '../auth.ts';
import { RequestError } from '../errors.ts';
import { route } from '../route.ts';
import { simulationOr404 } from './simulations.ts';

export default async function birthDeathRoutes(app: FastifyInstance) {
  route(app, apiRoutes.simulations.birthDeath, async (request) => {
    const row = await simulationOr404(app, request.params.id, projectOf(request));
    const spec = row.spec as unknown as Spec;
    if (!spec.training.birthDeath) throw new RequestError(409, `simulation ${row.id} does not use training.birthDeath`);
    const rows = await readBirthDeath(app.deps.db, row.id);
    const dt = spec.training.dt;
    return { simulationId: row.id, replicas: row.replicas, steps: rows.map((r) => ({ ...r, time: r.step * dt })) };
  });
}
