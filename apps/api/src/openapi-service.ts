// The OpenAPI paths and schemas of the service routes (keys, cancel and retry, trajectories and
// snapshots, live events, metrics, datasets), merged into openapi.ts. Query parameters come from
// the zod query schemas, so a new query field shows up here by itself.
import { z } from 'zod';
import {
  apiKeyListSchema, apiKeySchema, createdApiKeySchema, datasetRequestSchema, datasetSchema, listQuerySchema, newApiKeySchema,
  scalingQuerySchema, simulationEventSchema, snapshotListSchema, specSchema, snapshotSchema, sweepEventSchema,
  sweepListQuerySchema, trajectoryQuerySchema,
} from '@mfsim/contracts';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const content = (name: string, example?: unknown) => ({ 'application/json': { schema: ref(name), ...(example !== undefined && { example }) } });
const e = (description: string) => ({ description, content: content('Error') });
const e400 = e('Invalid request: `issues` names each offending field');
const e401 = e('No valid API key (when keys are on)');
const e404 = e('Unknown id');
const e409 = e('Not possible in the current status');
export const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

/** The query parameters of a zod query schema (a strict object), each with its JSON schema and description. */
export function queryParameters(schema: z.ZodType): Record<string, unknown>[] {
  const s = json(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return { name, in: 'query', required: s.required?.includes(name) ?? false, schema: rest, ...(description !== undefined && { description }) };
  });
}

const SIM = '6f1c2b7e-1d2a-4c3b-9a8e-0123456789ab';
const SWEEP = '0b7d9c1e-5a4f-4e21-8b3c-fedcba987654';
const AT = '2026-01-15T10:00:00.000Z';
const exampleSimulation = {
  id: SIM, name: '3-spin, d=10, n=256', tags: [], status: 'cancelled', progress: 0.42, stepsDone: 1260, seed: 42,
  spec: specSchema.parse({
    name: '3-spin, d=10, n=256', seed: 42, replicas: 8, inputs: { kind: 'sphere', d: 10 }, target: { kind: 'p-spin', p: 3 },
    student: { unit: 'tanh', width: 256 }, training: { dynamics: 'sgd', batchSize: 1024, dt: 0.5, steps: 3000 }, record: { logPoints: 60, testSize: 4096, probes: 64 },
  }),
  backend: 'native', device: 'cpu', error: null, divergedAtStep: null,
  sweepId: null, createdAt: AT, startedAt: AT, finishedAt: AT, runSeconds: 12.5,
};
const exampleKey = { id: '1d5e0c7a-2b3c-4d5e-8f90-123456789abc', name: 'lab scripts', prefix: 'mfsim_Ab3dE', role: 'submit', rateLimitPerMinute: null, createdAt: AT, revokedAt: null, lastUsedAt: null };
const exampleDataset = { id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', name: 'xor in 2d', d: 2, trainSize: 4, testSize: null, createdAt: AT };
const sseExample = (events: { id?: string; type: string; data: unknown }[]) =>
  events.map((ev) => `${ev.id ? `id: ${ev.id}\n` : ''}event: ${ev.type}\ndata: ${JSON.stringify(ev.data)}\n`).join('\n');

const eventsDescription = (what: string) =>
  `Server-Sent Events of ${what}, from its first event (or after \`Last-Event-ID\`, header or \`lastEventId\` query); ` +
  'the stream ends after the final status. With API keys on, browsers (EventSource cannot send headers) may pass the key as ' +
  '`access_token` in the query, on these event routes only; it is never logged.';
const eventParameters = [
  idParam,
  { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string', pattern: '^\\d+-\\d+$' }, description: 'Resume after this event id' },
  { name: 'lastEventId', in: 'query', required: false, schema: { type: 'string', pattern: '^\\d+-\\d+$' }, description: 'Resume after this event id (for EventSource polyfills)' },
  { name: 'access_token', in: 'query', required: false, schema: { type: 'string' }, description: 'The API key, for clients that cannot send `Authorization` (EventSource)' },
];
const sse = (schemaName: string, example: string) => ({
  'text/event-stream': { schema: { type: 'string', description: `Frames \`id:\`, \`event:\` (the type) and \`data:\` (JSON, see ${schemaName})` }, example },
});

export const serviceOpenApi = {
  paths: {
    '/v1/simulations/{id}/trajectory': {
      get: {
        summary: 'The trajectory: a step or time range, one replica or all, downsampled (`maxPoints`) or paged (`cursor`); JSON or CSV',
        description: 'Downsampling is done in SQL: the range is cut into buckets by step; each keeps its point of least and of largest `by` and its last point; the first and last points are always kept. Full scans page with `limit` and `nextCursor` (also in the `X-Next-Cursor` header). For a running simulation, a request that arrives while the same query of its newest chunk is being read gets the reply of the chunk before, marked by the header `X-Trajectory-Previous-Chunk: true`; the request that reads the new chunk, and every request after it, sees it.',
        parameters: [idParam, ...queryParameters(trajectoryQuerySchema)],
        responses: {
          '200': {
            description: 'The points in (replica, step) order',
            content: {
              ...content('Trajectory', {
                simulationId: SIM, nextCursor: null, downsampled: true,
                points: [{ replica: 0, step: 0, time: 0, trainLoss: 0.52, testLoss: 0.53, testError: null }, { replica: 0, step: 3000, time: 1500, trainLoss: 0.011, testLoss: 0.012, testError: null }],
              }),
              'text/csv': { schema: { type: 'string' }, example: 'replica,step,time,trainLoss,testLoss,testError\n0,0,0,0.52,0.53,\n' },
            },
          },
          '400': e400, '404': e404,
        },
      },
    },
    '/v1/simulations/{id}/snapshots': {
      get: {
        summary: 'The steps at which particle snapshots were stored',
        parameters: [idParam],
        responses: { '200': { description: 'Snapshot steps', content: content('SnapshotList', { simulationId: SIM, steps: [0, 3000] }) }, '404': e404 },
      },
    },
    '/v1/simulations/{id}/snapshots/{step}': {
      get: {
        summary: 'The particles at one stored step: JSON, or raw float32 bytes (`format=binary` or `Accept: application/octet-stream`)',
        parameters: [
          idParam,
          { name: 'step', in: 'path', required: true, schema: { type: 'integer', minimum: 0 } },
          { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'binary'] } },
        ],
        responses: {
          '200': {
            description: 'c [R, n], w [R, n, d], b [R, n]; as bytes: float32 little-endian c then w then b, shape in `X-Snapshot-Shape`',
            content: {
              ...content('Snapshot', { simulationId: SIM, step: 0, replicas: 1, width: 2, d: 2, c: [0.1, -0.2], w: [0.3, 0.4, -0.5, 0.6], b: [0, 0] }),
              'application/octet-stream': { schema: { type: 'string', format: 'binary' } },
            },
          },
          '400': e400, '404': e404,
        },
      },
    },
    '/v1/simulations/{id}/cancel': {
      post: {
        summary: 'Cancel a queued or running simulation (a running one stops within a second, keeping what it computed)',
        parameters: [idParam],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', additionalProperties: false }, example: {} } } },
        responses: { '200': { description: 'The simulation, now cancelled', content: content('Simulation', exampleSimulation) }, '400': e400, '404': e404, '409': e409 },
      },
    },
    '/v1/simulations/{id}/retry': {
      post: {
        summary: 'Queue a failed or cancelled simulation again, resuming from its checkpoint when it has one',
        parameters: [idParam],
        requestBody: { required: false, content: { 'application/json': { schema: { type: 'object', additionalProperties: false }, example: {} } } },
        responses: {
          '202': {
            description: 'Queued again; `resumesFromStep` is the step it resumes from',
            content: { 'application/json': { schema: { allOf: [ref('Simulation'), { type: 'object', properties: { resumesFromStep: { type: 'integer' } }, required: ['resumesFromStep'] }] }, example: { ...exampleSimulation, status: 'queued', finishedAt: null, resumesFromStep: 1200 } } },
          },
          '400': e400, '404': e404, '409': e409,
        },
      },
    },
    '/v1/simulations/{id}/events': {
      get: {
        summary: 'Live progress and status changes of a simulation (Server-Sent Events)',
        description: eventsDescription('a simulation (`status`, `progress` with the latest replica-mean losses; schema SimulationEvent)'),
        parameters: eventParameters,
        responses: {
          '200': {
            description: 'An event stream',
            content: sse('SimulationEvent', sseExample([
              { type: 'status', data: { simulationId: SIM, status: 'running', stepsDone: 0, totalSteps: 3000, progress: 0, at: AT } },
              { id: '1768471200000-0', type: 'progress', data: { simulationId: SIM, stepsDone: 500, totalSteps: 3000, progress: 0.1667, trainLoss: 0.31, testLoss: 0.32, at: AT } },
              { id: '1768471260000-0', type: 'status', data: { simulationId: SIM, status: 'completed', stepsDone: 3000, at: AT } },
            ])),
          },
          '400': e400, '401': e401, '404': e404,
        },
      },
    },
    '/v1/sweeps/{id}/events': {
      get: {
        summary: 'Live progress of a sweep over all its children, and each child\'s status changes (Server-Sent Events)',
        description: eventsDescription('a sweep (`status` of the sweep, `child` on a child\'s status change, `progress` as a child runs; schema SweepEvent)'),
        parameters: eventParameters,
        responses: {
          '200': {
            description: 'An event stream',
            content: sse('SweepEvent', sseExample([
              { type: 'status', data: { sweepId: SWEEP, status: 'running', progress: 0.25, counts: { running: 1, queued: 1 }, partial: false, at: AT } },
              { id: '1768471200000-0', type: 'child', data: { sweepId: SWEEP, simulationId: SIM, point: { 'student.width': 16 }, width: 16, status: 'completed', stepsDone: 300, sweepProgress: 0.5, counts: { completed: 1, queued: 1 }, at: AT } },
              { id: '1768471300000-0', type: 'status', data: { sweepId: SWEEP, status: 'completed', partial: false, progress: 1, at: AT } },
            ])),
          },
          '400': e400, '401': e401, '404': e404,
        },
      },
    },
    '/v1/keys': {
      post: {
        summary: 'Create an API key (admin); the key itself is shown only in this reply',
        requestBody: { required: true, content: { 'application/json': { schema: ref('NewApiKey'), example: { name: 'lab scripts', role: 'submit' } } } },
        responses: { '201': { description: 'Created', content: content('CreatedApiKey', { ...exampleKey, key: 'mfsim_Ab3dE...' }) }, '400': e400, '401': e401, '403': e('Not an admin key') },
      },
      get: {
        summary: 'List API keys (admin), without the keys themselves',
        responses: { '200': { description: 'Every key', content: content('ApiKeyList', { items: [exampleKey] }) }, '401': e401, '403': e('Not an admin key') },
      },
    },
    '/v1/keys/{id}': {
      delete: {
        summary: 'Revoke an API key (admin)',
        parameters: [idParam],
        responses: { '200': { description: 'The revoked key', content: content('ApiKey', { ...exampleKey, revokedAt: AT }) }, '401': e401, '403': e('Not an admin key'), '404': e404 },
      },
    },
    '/v1/datasets': {
      post: {
        summary: 'Store a dataset once; specs then refer to it as `inputs: {kind: "dataset", datasetId}`',
        requestBody: {
          required: true,
          content: { 'application/json': { schema: ref('DatasetRequest'), example: { name: 'xor in 2d', train: { x: [[1, 1], [1, -1], [-1, 1], [-1, -1]], y: [1, -1, -1, 1] } } } },
        },
        responses: { '201': { description: 'Stored', content: content('Dataset', exampleDataset) }, '400': e400, '413': e('Body over the size limit') },
      },
    },
    '/v1/datasets/{id}': {
      get: {
        summary: 'A stored dataset\'s description (its dimension and sizes)',
        parameters: [idParam],
        responses: { '200': { description: 'The dataset', content: content('Dataset', exampleDataset) }, '404': e404 },
      },
    },
    '/metrics': {
      get: {
        summary: 'Prometheus metrics: queue depths, jobs started, completed, failed, cancelled, steps and steps per second',
        responses: {
          '200': {
            description: 'The Prometheus text format',
            content: { 'text/plain': { schema: { type: 'string' }, example: '# HELP mfsim_jobs_completed_total Simulations completed.\n# TYPE mfsim_jobs_completed_total counter\nmfsim_jobs_completed_total 12\n' } },
          },
        },
      },
    },
  },
  schemas: {
    NewApiKey: json(newApiKeySchema, 'input'),
    ApiKey: json(apiKeySchema),
    CreatedApiKey: json(createdApiKeySchema),
    ApiKeyList: json(apiKeyListSchema),
    Snapshot: json(snapshotSchema),
    SnapshotList: json(snapshotListSchema),
    SimulationEvent: json(simulationEventSchema),
    SweepEvent: json(sweepEventSchema),
    DatasetRequest: json(datasetRequestSchema, 'input'),
    Dataset: json(datasetSchema),
  },
  /** Query parameters of the list routes, for openapi.ts and openapi-sweeps.ts. */
  listParameters: queryParameters(listQuerySchema),
  sweepListParameters: queryParameters(sweepListQuerySchema),
  scalingParameters: queryParameters(scalingQuerySchema),
  exampleSimulation,
};

