// The OpenAPI 3.1 document, generated from the zod contracts (one source of truth).
import { z } from 'zod';
import {
  errorSchema, simulationListSchema, simulationSchema, specSchema, trajectorySchema,
} from '@mfsim/contracts';
import { sweepOpenApi } from './openapi-sweeps.ts';
import { idParam, serviceOpenApi } from './openapi-service.ts';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const content = (name: string, example?: unknown) => ({ 'application/json': { schema: ref(name), ...(example !== undefined && { example }) } });
const { exampleSimulation } = serviceOpenApi;
const errors = {
  '400': { description: 'Invalid request: `issues` names each offending field', content: content('Error') },
  '404': { description: 'Unknown id', content: content('Error') },
  '503': { description: 'Postgres or Redis not reachable', content: content('Error') },
};

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
          responses: { '201': { description: 'Queued', content: content('Simulation', { ...exampleSimulation, status: 'queued', progress: 0, stepsDone: 0, startedAt: null, finishedAt: null, runSeconds: null, backend: null, device: null }) }, ...errors },
        },
        get: {
          summary: 'List simulations with filters (status, name, tag, sweep, creation time), sorted, paged by cursor',
          parameters: serviceOpenApi.listParameters,
          responses: { '200': { description: 'A page', content: content('SimulationList', { items: [exampleSimulation], nextCursor: null }) }, '400': errors['400'] },
        },
      },
      '/v1/simulations/{id}': {
        get: {
          summary: 'One simulation: status, progress, spec, backend, timings',
          parameters: [idParam],
          responses: { '200': { description: 'The simulation', content: content('Simulation', exampleSimulation) }, '404': errors['404'] },
        },
      },
      ...serviceOpenApi.paths,
      '/healthz': { get: { summary: 'The process answers', responses: { '200': { description: 'ok', content: { 'application/json': { schema: { type: 'object' }, example: { status: 'ok' } } } } } } },
      '/openapi.json': {
        get: { summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' }, example: { openapi: '3.1.0' } } } } } },
      },
      '/readyz': {
        get: {
          summary: 'Postgres and Redis answer',
          responses: {
            '200': { description: 'ready', content: { 'application/json': { schema: { type: 'object' }, example: { status: 'ready', postgres: true, redis: true } } } },
            '503': { description: 'a dependency is down', content: { 'application/json': { schema: { type: 'object' }, example: { status: 'unavailable', postgres: false, redis: true } } } },
          },
        },
      },
    },
    components: {
      schemas: {
        ...sweepOpenApi.schemas,
        ...serviceOpenApi.schemas,
        SpecInput: json(specSchema, 'input'),
        Simulation: json(simulationSchema),
        SimulationList: json(simulationListSchema),
        Trajectory: json(trajectorySchema),
        Error: json(errorSchema),
      },
    },
  };
}
