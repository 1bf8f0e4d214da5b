// The route table of the service itself: API keys and projects, stored datasets, health, metrics
// and this document. How to add a route: define.ts.
import { z } from 'zod';
import { datasetListQuerySchema, datasetListSchema, datasetRequestSchema, datasetSchema } from '../datasets.ts';
import { apiKeyListSchema, apiKeySchema, createdApiKeySchema, newApiKeySchema, projectListSchema } from '../service.ts';
import { defineRoute, errorReply, idParams } from './define.ts';
import { AT, exampleDataset, exampleKey } from './examples.ts';

const keyTags = ['keys'];
const notAdmin = errorReply(403, 'Not an admin key');

/** Readiness, with the workers alive per kind (null: Redis did not answer) and warnings (a queue with jobs and no worker). */
const readySchema = z.object({
  status: z.string(), postgres: z.boolean(), redis: z.boolean(),
  workers: z.record(z.string(), z.number().int()).nullable(), warnings: z.array(z.string()),
});

export const keyRoutes = {
  create: defineRoute({
    method: 'POST', path: '/v1/keys', operationId: 'createApiKey', tags: keyTags, auth: 'admin',
    summary: 'Create an API key (admin); the key itself is shown only in this reply',
    body: { schema: newApiKeySchema, name: 'key', example: { name: 'lab scripts', role: 'submit' } },
    replies: { 201: { description: 'Created', schema: createdApiKeySchema, example: { ...exampleKey, key: 'mfsim_Ab3dE...' } }, 403: notAdmin },
  }),
  list: defineRoute({
    method: 'GET', path: '/v1/keys', operationId: 'listApiKeys', tags: keyTags, auth: 'admin',
    summary: 'List API keys (admin), without the keys themselves',
    replies: { 200: { description: 'Every key', schema: apiKeyListSchema, example: { items: [exampleKey] } }, 403: notAdmin },
  }),
  revoke: defineRoute({
    method: 'DELETE', path: '/v1/keys/{id}', operationId: 'revokeApiKey', tags: keyTags, auth: 'admin',
    summary: 'Revoke an API key (admin)',
    params: idParams,
    replies: { 200: { description: 'The revoked key', schema: apiKeySchema, example: { ...exampleKey, revokedAt: AT } }, 403: notAdmin, 404: errorReply(404) },
  }),
  projects: defineRoute({
    method: 'GET', path: '/v1/projects', operationId: 'listProjects', tags: keyTags, auth: 'read',
    summary: 'The projects an admin may act in (header `Mfsim-Project`), the one the caller acts in now, and the caller\'s role',
    replies: { 200: { description: 'Every project', schema: projectListSchema, example: { items: [{ name: 'default', createdAt: AT }], current: 'default', role: 'submit' } } },
  }),
};

export const datasetRoutes = {
  create: defineRoute({
    method: 'POST', path: '/v1/datasets', operationId: 'createDataset', tags: ['datasets'], auth: 'submit',
    summary: 'Store a dataset once; specs then refer to it as `inputs: {kind: "dataset", datasetId}`',
    body: { schema: datasetRequestSchema, name: 'dataset', example: { name: 'xor in 2d', train: { x: [[1, 1], [1, -1], [-1, 1], [-1, -1]], y: [1, -1, -1, 1] } } },
    replies: { 201: { description: 'Stored', schema: datasetSchema, example: exampleDataset }, 413: errorReply(413) },
  }),
  get: defineRoute({
    method: 'GET', path: '/v1/datasets/{id}', operationId: 'getDataset', tags: ['datasets'], auth: 'read',
    summary: 'A stored dataset\'s description (its dimension and sizes)',
    params: idParams,
    replies: { 200: { description: 'The dataset', schema: datasetSchema, example: exampleDataset }, 400: errorReply(400, 'The id is not a UUID'), 404: errorReply(404) },
  }),
  list: defineRoute({
    method: 'GET', path: '/v1/datasets', operationId: 'listDatasets', tags: ['datasets'], auth: 'read',
    summary: 'The project\'s stored datasets (without their points), newest first, paged by cursor',
    query: datasetListQuerySchema,
    replies: { 200: { description: 'A page', schema: datasetListSchema, example: { items: [exampleDataset], nextCursor: null } } },
  }),
  delete: defineRoute({
    method: 'DELETE', path: '/v1/datasets/{id}', operationId: 'deleteDataset', tags: ['datasets'], auth: 'submit',
    summary: 'Delete a stored dataset no run or schedule may still need',
    description: 'Refused (409, naming them) while a simulation that may still run (queued, running, or failed or cancelled: a retry reads the dataset again) or a schedule not deleted refers to it. Completed and diverged runs do not hold it: their spec keeps the id, which then answers 404.',
    params: idParams,
    replies: {
      204: { description: 'Deleted (no body)', schema: z.null(), example: null },
      404: errorReply(404),
      409: errorReply(409, 'Still referred to: the message names the simulations and schedules'),
    },
  }),
};

const opsTags = ['operations'];
export const opsRoutes = {
  health: defineRoute({
    method: 'GET', path: '/healthz', operationId: 'getHealth', tags: opsTags, auth: 'public', usesStores: false,
    summary: 'The process answers',
    replies: { 200: { description: 'ok', schema: z.object({ status: z.literal('ok') }), example: { status: 'ok' } } },
  }),
  ready: defineRoute({
    method: 'GET', path: '/readyz', operationId: 'getReadiness', tags: opsTags, auth: 'public', usesStores: false,
    summary: 'Postgres and Redis answer',
    replies: {
      200: { description: 'ready', schema: readySchema, example: { status: 'ready', postgres: true, redis: true, workers: { cpu: 2, gpu: 0 }, warnings: [] } },
      503: { description: 'a dependency is down', schema: readySchema, example: { status: 'unavailable', postgres: false, redis: true, workers: { cpu: 2, gpu: 0 }, warnings: [] } },
    },
  }),
  metrics: defineRoute({
    method: 'GET', path: '/metrics', operationId: 'getMetrics', tags: opsTags, auth: 'public',
    summary: 'Prometheus metrics: queue depths, jobs started, completed, failed, cancelled, steps and steps per second',
    replies: {
      200: {
        description: 'The Prometheus text format',
        content: { 'text/plain': { schema: z.string(), example: '# HELP mfsim_jobs_completed_total Simulations completed.\n# TYPE mfsim_jobs_completed_total counter\nmfsim_jobs_completed_total 12\n' } },
      },
    },
  }),
  openapi: defineRoute({
    method: 'GET', path: '/openapi.json', operationId: 'getOpenApiDocument', tags: opsTags, auth: 'public', usesStores: false,
    summary: 'This document',
    replies: { 200: { description: 'OpenAPI 3.1', schema: z.record(z.string(), z.unknown()), example: { openapi: '3.1.0' } } },
  }),
};
