// /v1/datasets: store a dataset once; specs then refer to it by id.
import type { FastifyInstance } from 'fastify';
import { datasetRequestSchema, type DatasetReply } from '@mfsim/contracts';
import { createDataset, findDataset, type DatasetRow } from '@mfsim/db';
import { NotFoundError, parseOr400 } from '../errors.ts';

const datasetReply = (row: DatasetRow): DatasetReply => ({
  id: row.id,
  name: row.name,
  d: row.d,
  trainSize: row.trainSize,
  testSize: row.testSize,
  createdAt: row.createdAt.toISOString(),
});

export default async function datasetRoutes(app: FastifyInstance) {
  app.post('/v1/datasets', async (request, reply) => {
    const body = parseOr400(datasetRequestSchema, request.body, 'dataset');
    const row = await createDataset(app.deps.db, body);
    reply.status(201).header('Location', `/v1/datasets/${row.id}`);
    return datasetReply(row);
  });

  app.get<{ Params: { id: string } }>('/v1/datasets/:id', async (request) => {
    const row = await findDataset(app.deps.db, request.params.id);
    if (!row) throw new NotFoundError(`dataset ${request.params.id}`);
    return datasetReply(row);
  });
}
