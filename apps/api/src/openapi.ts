// The OpenAPI 3.1 document, generated from the zod contracts (one source of truth).
import { z } from 'zod';
import {
  errorSchema, simulationListSchema, simulationSchema, specSchema, trajectorySchema,
} from '@mfsim/contracts';
import { sweepOpenApi } from './openapi-sweeps.ts';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const content = (name: string) => ({ 'application/json': { schema: ref(name) } });
const errors = {
  '400': { description: 'Invalid request: `issues` names each offending field', content: content('Error') },
  '404': { description: 'Unknown id', content: content('Error') },
  '503': { description: 'Postgres or Redis not reachable', content: content('Error') },
};
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };

const exampleSpec = {
  name: '3-spin, d=10, n=256',
  seed: 42,
  replicas: 8,
  inputs: { kind: 'sphere', d: 10 },
  target: { kind: 'p-spin', p: 3 },
  student: { unit: 'tanh', width: 256, parameterization: 'mean-field' },
  training: { dynamics: 'sgd', batchSize: 1024, dt: 0.5, steps: 3000, weightDecay: 0, temperature: 0 },
  record: { logPoints: 60, testSize: 4096, probes: 64, snapshots: [0, 3000] },
};

export function openApiDocument(serverUrl?: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'mfsim',
      version: '0.1.0',
      description: 'Mean-field particle dynamics of two-layer networks: submit simulations, read trajectories.',
    },
    ...(serverUrl && { servers: [{ url: serverUrl }] }),
    paths: {
      ...sweepOpenApi.paths,
      '/v1/simulations': {
        post: {
          summary: 'Submit a simulation',
          requestBody: { required: true, content: { 'application/json': { schema: ref('SpecInput'), example: exampleSpec } } },
          responses: { '201': { description: 'Queued', content: content('Simulation') }, ...errors },
        },
        get: {
          summary: 'List simulations, newest first',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
            { name: 'cursor', in: 'query', schema: { type: 'string' }, description: '`nextCursor` of the previous page' },
            { name: 'status', in: 'query', schema: { type: 'string', enum: simulationSchema.shape.status.options } },
          ],
          responses: { '200': { description: 'A page', content: content('SimulationList') }, '400': errors['400'] },
        },
      },
      '/v1/simulations/{id}': {
        get: {
          summary: 'One simulation: status, progress, spec',
          parameters: [idParam],
          responses: { '200': { description: 'The simulation', content: content('Simulation') }, '404': errors['404'] },
        },
      },
      '/v1/simulations/{id}/trajectory': {
        get: {
          summary: 'Every recorded point of the trajectory',
          parameters: [idParam, { name: 'replica', in: 'query', schema: { type: 'integer', minimum: 0 } }],
          responses: { '200': { description: 'The points in (replica, step) order', content: content('Trajectory') }, '404': errors['404'] },
        },
      },
      '/healthz': { get: { summary: 'The process answers', responses: { '200': { description: 'ok' } } } },
      '/readyz': {
        get: {
          summary: 'Postgres and Redis answer',
          responses: { '200': { description: 'ready' }, '503': { description: 'a dependency is down' } },
        },
      },
    },
    components: {
      schemas: {
        ...sweepOpenApi.schemas,
        SpecInput: json(specSchema, 'input'),
        Simulation: json(simulationSchema),
        SimulationList: json(simulationListSchema),
        Trajectory: json(trajectorySchema),
        Error: json(errorSchema),
      },
    },
  };
}
