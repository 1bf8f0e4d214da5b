// The OpenAPI paths and schemas of sweeps, statistics and schedules, merged into openapi.ts.
import { z } from 'zod';
import { queryParameters } from './openapi-service.ts';
import {
  scalingQuerySchema, scalingReplySchema, scheduleListQuerySchema, scheduleListSchema, scheduleRequestSchema, scheduleSchema, simulationStatisticsSchema,
  sweepListQuerySchema, sweepListSchema, sweepRequestSchema, sweepSchema, sweepStatisticsSchema,
} from '@mfsim/contracts';

const json = (schema: z.ZodType, io: 'input' | 'output' = 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const content = (name: string, example?: unknown) => ({ 'application/json': { schema: ref(name), ...(example !== undefined && { example }) } });
const e400 = { description: 'Invalid request: `issues` names each offending field', content: content('Error') };
const e404 = { description: 'Unknown id', content: content('Error') };
const e409 = { description: 'Not finished yet, or already finished', content: content('Error') };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } };
const ok = (name: string, description: string, example: unknown) => ({ '200': { description, content: content(name, example) } });

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

const SWEEP = '0b7d9c1e-5a4f-4e21-8b3c-fedcba987654';
const CHILD = '6f1c2b7e-1d2a-4c3b-9a8e-0123456789ab';
const SCHEDULE = '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99';
const AT = '2026-01-15T10:00:00.000Z';
const exampleSweepSummary = {
  id: SWEEP, name: exampleSweep.name, status: 'running', progress: 0.5, base: exampleSweep.base, grid: exampleSweep.grid, replicas: 4, seed: 1,
  partial: false, counts: { completed: 1, running: 1, queued: 1 }, scheduleId: null, createdAt: AT, finishedAt: null,
};
const exampleSweepReply = {
  ...exampleSweepSummary,
  children: [{ simulationId: CHILD, point: { 'student.width': 8 }, width: 8, status: 'completed', progress: 1, error: null }],
  missing: [],
};
const exampleRow = {
  step: 300, time: 60, meanLoss: 0.021, lossVariance: 0.00004, standardError: 0.003, count: 4, dropped: 0, fluctuation: 0.00032,
  meanOutputVariance: 0.0021, excessKurtosis: -0.1, probes: 8,
};
const exampleScaling = {
  step: 300, time: 60, alpha: 0.97, logIntercept: -1.8, interval: { lower: 0.88, upper: 1.06, level: 0.95, resamples: 1000 },
  points: [{ width: 8, meanLoss: 0.021, count: 4 }, { width: 16, meanLoss: 0.011, count: 4 }, { width: 32, meanLoss: 0.0054, count: 4 }],
  excludedWidths: [], missingWidths: [], partial: false, reason: null, intervalReason: null, saturating: null,
};
const exampleSchedule = {
  id: SCHEDULE, name: null, pattern: '0 3 * * *', timeZone: 'Europe/Paris', paused: false, sweep: exampleSweep, nextFireAt: AT, sweeps: 2, createdAt: AT,
};

export const sweepOpenApi = {
  paths: {
    '/v1/sweeps': {
      post: {
        summary: 'Submit a sweep: one simulation per grid point, aggregated when all are done',
        requestBody: { required: true, content: { 'application/json': { schema: ref('SweepRequest'), example: exampleSweep } } },
        responses: { '201': { description: 'Queued', content: content('Sweep', { ...exampleSweepReply, status: 'queued', progress: 0 }) }, '400': e400 },
      },
      get: {
        summary: 'List sweeps, newest first',
        parameters: queryParameters(sweepListQuerySchema),
        responses: { ...ok('SweepList', 'A page', { items: [exampleSweepSummary], nextCursor: null }), '400': e400 },
      },
    },
    '/v1/sweeps/{id}': {
      get: { summary: 'One sweep: grid, children with status, progress', parameters: [idParam], responses: { ...ok('Sweep', 'The sweep', exampleSweepReply), '404': e404 } },
    },
    '/v1/sweeps/{id}/cancel': {
      post: { summary: 'Cancel the children still queued', parameters: [idParam], responses: { ...ok('Sweep', 'The sweep', { ...exampleSweepReply, status: 'cancelled' }), '404': e404, '409': e409 } },
    },
    '/v1/sweeps/{id}/statistics': {
      get: {
        summary: 'Per series: statistics per width and time, and the scaling per time',
        parameters: [idParam],
        responses: { ...ok('SweepStatistics', 'Stored statistics', { sweepId: SWEEP, status: 'completed', partial: false, series: [{ series: {}, widths: [8, 16, 32], missingWidths: [], partial: false, byWidth: [{ width: 8, simulationId: CHILD, status: 'completed', rows: [exampleRow] }], scaling: [exampleScaling], extrapolation: [] }] }), '404': e404, '409': e409 },
      },
    },
    '/v1/sweeps/{id}/scaling': {
      get: {
        summary: 'The scaling exponent alpha at the recorded time nearest to `time`',
        parameters: [idParam, ...queryParameters(scalingQuerySchema)],
        responses: { ...ok('Scaling', 'The fit', { sweepId: SWEEP, series: {}, requestedTime: 60, ...exampleScaling }), '400': e400, '404': e404, '409': e409 },
      },
    },
    '/v1/simulations/{id}/statistics': {
      get: {
        summary: 'Statistics over the replicas per recorded time',
        parameters: [idParam],
        responses: { ...ok('SimulationStatistics', 'Stored statistics', { simulationId: CHILD, width: 8, replicas: 4, rows: [exampleRow] }), '404': e404, '409': e409 },
      },
    },
    '/v1/schedules': {
      post: {
        summary: 'Fire a sweep on a cron pattern',
        requestBody: { required: true, content: { 'application/json': { schema: ref('ScheduleRequest'), example: { pattern: '0 3 * * *', timeZone: 'Europe/Paris', sweep: exampleSweep } } } },
        responses: { '201': { description: 'Created', content: content('Schedule', exampleSchedule) }, '400': e400 },
      },
      get: {
        summary: 'List schedules, newest first',
        parameters: queryParameters(scheduleListQuerySchema),
        responses: { ...ok('ScheduleList', 'A page', { items: [exampleSchedule], nextCursor: null }), '400': e400 },
      },
    },
    '/v1/schedules/{id}': {
      get: { summary: 'One schedule', parameters: [idParam], responses: { ...ok('Schedule', 'The schedule', exampleSchedule), '404': e404 } },
      delete: { summary: 'Delete a schedule (its sweeps stay)', parameters: [idParam], responses: { '204': { description: 'Deleted (no body)', content: { 'application/json': { schema: {}, example: null } } }, '404': e404 } },
    },
    '/v1/schedules/{id}/pause': {
      post: { summary: 'Stop firing', parameters: [idParam], responses: { ...ok('Schedule', 'The schedule', { ...exampleSchedule, paused: true, nextFireAt: null }), '404': e404 } },
    },
    '/v1/schedules/{id}/resume': {
      post: { summary: 'Fire again', parameters: [idParam], responses: { ...ok('Schedule', 'The schedule', exampleSchedule), '404': e404 } },
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
