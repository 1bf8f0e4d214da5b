// /v1/datasets: store a dataset once; specs then refer to it by id.
import type { FastifyInstance } from 'fastify';
import { apiRoutes, isUuid, type DatasetReply } from '@mfsim/contracts';
import { createDataset, deleteDataset, findDataset, InvalidCursorError, listDatasets, type DatasetRow } from '@mfsim/db';
import { projectOf } from '../auth.ts';
import { NotFoundError, RequestError } from '../errors.ts';
import { route } from '../route.ts';

const datasetReply = (row: DatasetRow): DatasetReply => ({
  id: row.id,
  name: row.name,
  d: row.d,
  trainSize: row.trainSize,
  testSize: row.testSize,
  createdAt: row.createdAt.toISOString(),
});

export default async function datasetRoutes(app: FastifyInstance) {
  route(app, apiRoutes.datasets.create, async (request, reply) => {
    const body = request.body;
    const row = await createDataset(app.deps.db, body, projectOf(request));
    reply.status(201).header('Location', `/v1/datasets/${row.id}`);
    return datasetReply(row);
  });

  route(app, apiRoutes.datasets.get, async (request) => {
    if (!isUuid(request.params.id)) throw new RequestError(400, 'id must be a dataset id (a UUID)', [{ path: 'id', message: 'not a UUID' }]);
    const row = await findDataset(app.deps.db, request.params.id, projectOf(request));
    if (!row) throw new NotFoundError(`dataset ${request.params.id}`);
    return datasetReply(row);
  });

  route(app, apiRoutes.datasets.list, async (request) => {
    try {
      const page = await listDatasets(app.deps.db, { ...request.query, project: projectOf(request) });
      return { items: page.items.map(datasetReply), nextCursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new RequestError(400, err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  });

  route(app, apiRoutes.datasets.delete, async (request, reply) => {
    const refs = await deleteDataset(app.deps.db, request.params.id, projectOf(request));
    if (!refs) throw new NotFoundError(`dataset ${request.params.id}`);
    if (refs.simulations.length > 0 || refs.schedules.length > 0) {
      const parts = [
        ...(refs.simulations.length > 0 ? [`simulations that may still run ${refs.simulations.map((r) => `${r.id} (${r.status})`).join(', ')}`] : []),
        ...(refs.schedules.length > 0 ? [`schedules ${refs.schedules.join(', ')}`] : []),
      ];
      throw new RequestError(409, `dataset ${request.params.id} is still used by ${parts.join('; ')}: delete those schedules, and let those runs complete or no longer need it`);
    }
    reply.status(204);
    return null;
  });
}
