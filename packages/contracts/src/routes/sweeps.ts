// The route table of sweeps (a grid of simulations run as one), their statistics and scaling, and
// the schedules that fire sweeps on a cron pattern. How to add a route: define.ts.
import { z } from 'zod';
import {
  scalingQuerySchema, scalingReplySchema, scheduleListQuerySchema, scheduleListSchema, scheduleRequestSchema, scheduleSchema,
  sweepListQuerySchema, sweepListSchema, sweepRequestSchema, sweepSchema, sweepStatisticsSchema,
} from '../sweeps.ts';
import { emptyBodySchema } from '../service.ts';
import { defineRoute, errorReply, idParams } from './define.ts';
import {
  AT, exampleSchedule, exampleScaling, exampleStatisticsRow, exampleSweep, exampleSweepRequest, exampleSweepSummary, SIM, sseExample, SWEEP,
} from './examples.ts';
import { eventQuerySchema, eventsDescription, eventStream } from './simulations.ts';

const tags = ['sweeps'];
const noBody = { schema: emptyBodySchema, name: 'body', example: {}, required: false };
const notYet = errorReply(409, 'Not finished yet');

export const sweepRoutes = {
  submit: defineRoute({
    method: 'POST', path: '/v1/sweeps', operationId: 'submitSweep', tags, auth: 'submit',
    summary: 'Submit a sweep: one simulation per grid point (and with `reference`, one wide reference run per series), aggregated when all are done',
    body: { schema: sweepRequestSchema, name: 'sweep', example: exampleSweepRequest },
    replies: { 201: { description: 'Queued', schema: sweepSchema, example: { ...exampleSweep, status: 'queued', progress: 0 } } },
  }),
  list: defineRoute({
    method: 'GET', path: '/v1/sweeps', operationId: 'listSweeps', tags, auth: 'read',
    summary: 'List sweeps, newest first',
    query: sweepListQuerySchema,
    replies: { 200: { description: 'A page', schema: sweepListSchema, example: { items: [exampleSweepSummary], nextCursor: null } } },
  }),
  get: defineRoute({
    method: 'GET', path: '/v1/sweeps/{id}', operationId: 'getSweep', tags, auth: 'read',
    summary: 'One sweep: grid, children with status, progress',
    params: idParams,
    replies: { 200: { description: 'The sweep', schema: sweepSchema, example: exampleSweep }, 404: errorReply(404) },
  }),
  cancel: defineRoute({
    method: 'POST', path: '/v1/sweeps/{id}/cancel', operationId: 'cancelSweep', tags, auth: 'submit',
    summary: 'Cancel the children not yet finished',
    params: idParams, body: noBody,
    replies: {
      200: { description: 'The sweep', schema: sweepSchema, example: { ...exampleSweep, status: 'cancelled' } },
      404: errorReply(404), 409: errorReply(409, 'Already completed'),
    },
  }),
  statistics: defineRoute({
    method: 'GET', path: '/v1/sweeps/{id}/statistics', operationId: 'getSweepStatistics', tags: ['statistics'], auth: 'read',
    summary: 'Per series: statistics per width and time (and of the reference run), and the scaling per time (with a reference, also of the excess m_n - L_ref)',
    params: idParams,
    replies: {
      200: {
        description: 'Stored statistics',
        schema: sweepStatisticsSchema,
        example: {
          sweepId: SWEEP, status: 'completed', partial: false,
          series: [{ series: {}, widths: [8, 16, 32], missingWidths: [], partial: false, byWidth: [{ width: 8, simulationId: SIM, status: 'completed', rows: [exampleStatisticsRow] }], scaling: [exampleScaling], extrapolation: [] }],
        },
      },
      404: errorReply(404), 409: notYet,
    },
  }),
  scaling: defineRoute({
    method: 'GET', path: '/v1/sweeps/{id}/scaling', operationId: 'getSweepScaling', tags: ['statistics'], auth: 'read',
    summary: 'The scaling exponent alpha at the recorded time nearest to `time` (default: the last recorded time); with a reference run, `excess`: the same fit of m_n - L_ref',
    params: idParams, query: scalingQuerySchema,
    replies: {
      200: { description: 'The fit', schema: scalingReplySchema, example: { sweepId: SWEEP, series: {}, requestedTime: 60, snapped: false, ...exampleScaling } },
      404: errorReply(404), 409: notYet,
    },
  }),
  exportZip: defineRoute({
    method: 'GET', path: '/v1/sweeps/{id}/export.zip', operationId: 'exportSweep', tags, auth: 'read',
    summary: 'A sweep as one zip: sweep.json, statistics.json (once aggregated) and per child its simulation.json, trajectory.csv and statistics.json',
    description: 'Streamed as it is read (one trajectory page in memory at a time); a plain zip, so at most 4 GiB (a larger export stops with an error). Entries: `sweep.json`, `statistics.json`, `runs/<first 8 of the id>-<name>/...`.',
    params: idParams,
    replies: {
      200: { description: 'The zip', content: { 'application/zip': { schema: z.string().meta({ format: 'binary' }), example: 'PK\u0003\u0004 (zip bytes: runs/6f1c2b7e-3-spin/simulation.json, trajectory.csv, statistics.json)' } } },
      404: errorReply(404),
    },
  }),
  events: defineRoute({
    method: 'GET', path: '/v1/sweeps/{id}/events', operationId: 'streamSweepEvents', tags: ['events'], auth: 'read', queryToken: true,
    summary: 'Live progress of a sweep over all its children, and each child\'s status changes (Server-Sent Events)',
    description: eventsDescription('a sweep (`status` of the sweep, `child` on a child\'s status change, `progress` as a child runs; schema SweepEvent)'),
    params: idParams, query: eventQuerySchema,
    replies: {
      200: {
        description: 'An event stream',
        content: eventStream('SweepEvent', sseExample([
          { type: 'status', data: { sweepId: SWEEP, status: 'running', progress: 0.25, counts: { running: 1, queued: 1 }, partial: false, at: AT } },
          { id: '1768471200000-0', type: 'child', data: { sweepId: SWEEP, simulationId: SIM, point: { 'student.width': 16 }, width: 16, status: 'completed', stepsDone: 300, sweepProgress: 0.5, counts: { completed: 1, queued: 1 }, at: AT } },
          { id: '1768471300000-0', type: 'status', data: { sweepId: SWEEP, status: 'completed', partial: false, progress: 1, at: AT } },
        ])),
      },
      404: errorReply(404),
    },
  }),
};

const scheduleTags = ['schedules'];
export const scheduleRoutes = {
  create: defineRoute({
    method: 'POST', path: '/v1/schedules', operationId: 'createSchedule', tags: scheduleTags, auth: 'submit',
    summary: 'Fire a sweep on a cron pattern',
    body: { schema: scheduleRequestSchema, name: 'schedule', example: { pattern: '0 3 * * *', timeZone: 'Europe/Paris', sweep: exampleSweepRequest } },
    replies: { 201: { description: 'Created', schema: scheduleSchema, example: exampleSchedule } },
  }),
  list: defineRoute({
    method: 'GET', path: '/v1/schedules', operationId: 'listSchedules', tags: scheduleTags, auth: 'read',
    summary: 'List schedules, newest first (deleted ones only with `includeDeleted=true`)',
    query: scheduleListQuerySchema,
    replies: { 200: { description: 'A page', schema: scheduleListSchema, example: { items: [exampleSchedule], nextCursor: null } } },
  }),
  get: defineRoute({
    method: 'GET', path: '/v1/schedules/{id}', operationId: 'getSchedule', tags: scheduleTags, auth: 'read',
    summary: 'One schedule (a deleted one too: `deletedAt` says when)',
    params: idParams,
    replies: { 200: { description: 'The schedule', schema: scheduleSchema, example: exampleSchedule }, 404: errorReply(404) },
  }),
  delete: defineRoute({
    method: 'DELETE', path: '/v1/schedules/{id}', operationId: 'deleteSchedule', tags: scheduleTags, auth: 'submit',
    summary: 'Delete a schedule: it never fires again and lists leave it out; its sweeps stay, linked by `scheduleId`',
    params: idParams,
    replies: { 204: { description: 'Deleted (no body)', schema: z.null(), example: null }, 404: errorReply(404), 409: errorReply(409, 'Already deleted') },
  }),
  pause: defineRoute({
    method: 'POST', path: '/v1/schedules/{id}/pause', operationId: 'pauseSchedule', tags: scheduleTags, auth: 'submit',
    summary: 'Stop firing',
    params: idParams,
    replies: { 200: { description: 'The schedule', schema: scheduleSchema, example: { ...exampleSchedule, paused: true, nextFireAt: null } }, 404: errorReply(404), 409: errorReply(409, 'Deleted') },
  }),
  resume: defineRoute({
    method: 'POST', path: '/v1/schedules/{id}/resume', operationId: 'resumeSchedule', tags: scheduleTags, auth: 'submit',
    summary: 'Fire again',
    params: idParams,
    replies: { 200: { description: 'The schedule', schema: scheduleSchema, example: exampleSchedule }, 404: errorReply(404), 409: errorReply(409, 'Deleted') },
  }),
};
