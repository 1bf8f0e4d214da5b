// /v1/datasets: store a dataset once; specs then refer to it by id.
import type { FastifyInstance } from 'fastify';
import { apiRoutes, isUuid, type DatasetReply } from '@mfsim/contracts';
import { createDataset, findDataset, type DatasetRow } from '@mfsim/db';
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
}
