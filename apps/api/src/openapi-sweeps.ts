// The OpenAPI paths and schemas of sweeps, statistics and schedules, merged into openapi.ts.
import { z } from 'zod';
import {
  scalingReplySchema, scheduleListSchema, scheduleRequestSchema, scheduleSchema, simulationStatisticsSchema,
  sweepListSchema, sweepRequestSchema, sweepSchema, sweepStatisticsSchema,
} from '@mfsim/contracts';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const content = (name: string) => ({ 'application/json': { schema: ref(name) } });
const e400 = { description: 'Invalid request: `issues` names each offending field', content: content('Error') };
const e404 = { description: 'Unknown id', content: content('Error') };
const e409 = { description: 'Not finished yet, or already finished', content: content('Error') };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const ok = (name: string, description: string) => ({ '200': { description, content: content(name) } });

const exampleSweep = {
  name: 'teacher, widths 8-32',
  base: {
    seed: 1, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
    student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 300 },
    record: { every: 50, testSize: 256, probes: 8 },
  },
  grid: { 'student.width': [8, 16, 32] },
  replicas: 4,
};

export const sweepOpenApi = {
  paths: {
    '/v1/sweeps': {
      post: {
        summary: 'Submit a sweep: one simulation per grid point, aggregated when all are done',
        requestBody: { required: true, content: { 'application/json': { schema: ref('SweepRequest'), example: exampleSweep } } },
        responses: { '201': { description: 'Queued', content: content('Sweep') }, '400': e400 },
      },
      get: {
        summary: 'List sweeps, newest first',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' } },
          { name: 'scheduleId', in: 'query', schema: { type: 'string', format: 'uuid' } },
        ],
        responses: { ...ok('SweepList', 'A page'), '400': e400 },
      },
    },
    '/v1/sweeps/{id}': {
      get: { summary: 'One sweep: grid, children with status, progress', parameters: [idParam], responses: { ...ok('Sweep', 'The sweep'), '404': e404 } },
    },
    '/v1/sweeps/{id}/cancel': {
      post: { summary: 'Cancel the children still queued', parameters: [idParam], responses: { ...ok('Sweep', 'The sweep'), '404': e404, '409': e409 } },
    },
    '/v1/sweeps/{id}/statistics': {
      get: {
        summary: 'Per series: statistics per width and time, and the scaling per time',
        parameters: [idParam],
        responses: { ...ok('SweepStatistics', 'Stored statistics'), '404': e404, '409': e409 },
      },
    },
    '/v1/sweeps/{id}/scaling': {
      get: {
        summary: 'The scaling exponent alpha at the recorded time nearest to `time`',
        parameters: [
          idParam,
          { name: 'time', in: 'query', required: true, schema: { type: 'number' } },
          { name: 'series', in: 'query', schema: { type: 'string' }, description: 'JSON of the grid values other than the width' },
        ],
        responses: { ...ok('Scaling', 'The fit'), '400': e400, '404': e404, '409': e409 },
      },
    },
    '/v1/simulations/{id}/statistics': {
      get: {
        summary: 'Statistics over the replicas per recorded time',
        parameters: [idParam],
        responses: { ...ok('SimulationStatistics', 'Stored statistics'), '404': e404, '409': e409 },
      },
    },
    '/v1/schedules': {
      post: {
        summary: 'Fire a sweep on a cron pattern',
        requestBody: { required: true, content: { 'application/json': { schema: ref('ScheduleRequest'), example: { pattern: '0 3 * * *', timeZone: 'Europe/Paris', sweep: exampleSweep } } } },
        responses: { '201': { description: 'Created', content: content('Schedule') }, '400': e400 },
      },
      get: { summary: 'List schedules, newest first', responses: ok('ScheduleList', 'All schedules') },
    },
    '/v1/schedules/{id}': {
      get: { summary: 'One schedule', parameters: [idParam], responses: { ...ok('Schedule', 'The schedule'), '404': e404 } },
      delete: { summary: 'Delete a schedule (its sweeps stay)', parameters: [idParam], responses: { '204': { description: 'Deleted' }, '404': e404 } },
    },
    '/v1/schedules/{id}/pause': {
      post: { summary: 'Stop firing', parameters: [idParam], responses: { ...ok('Schedule', 'The schedule'), '404': e404 } },
    },
    '/v1/schedules/{id}/resume': {
      post: { summary: 'Fire again', parameters: [idParam], responses: { ...ok('Schedule', 'The schedule'), '404': e404 } },
    },
  },
  schemas: {
    SweepRequest: json(sweepRequestSchema, 'input'),
    Sweep: json(sweepSchema),
    SweepList: json(sweepListSchema),
    SweepStatistics: json(sweepStatisticsSchema),
    Scaling: json(scalingReplySchema),
    SimulationStatistics: json(simulationStatisticsSchema),
    ScheduleRequest: json(scheduleRequestSchema, 'input'),
    Schedule: json(scheduleSchema),
    ScheduleList: json(scheduleListSchema),
  },
};
