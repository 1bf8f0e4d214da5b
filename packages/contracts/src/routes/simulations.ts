// The route table of simulations: submit, list, read, cancel, retry, trajectories, snapshots,
// statistics and live events. How to add a route: define.ts.
import { z } from 'zod';
import {
  listQuerySchema, simulationLabelsSchema, simulationListSchema, simulationSchema, trajectoryQuerySchema, trajectorySchema,
} from '../api.ts';
import { specSchema } from '../spec.ts';
import { emptyBodySchema, snapshotListSchema, snapshotSchema } from '../service.ts';
import { simulationStatisticsSchema } from '../sweeps.ts';
import { birthDeathReplySchema, probesQuerySchema, probesReplySchema } from '../probes.ts';
import { defineRoute, errorReply, idParams, idParam } from './define.ts';
import { EXPORT_LIMITS, exportQuerySchema } from '../exports.ts';
import {
  AT, exampleQueuedSimulation, exampleSimulation, exampleSpec, exampleStatisticsRow, SIM, sseExample,
} from './examples.ts';

const tags = ['simulations'];
const noBody = { schema: emptyBodySchema, name: 'body', example: {}, required: false };

/** The query of the event streams: resume after an id, and the key for clients that cannot send headers. */
export const eventQuerySchema = z.object({
  lastEventId: z.string().optional().describe('Resume after this event id, `<ms>-<n>` (for EventSource polyfills; or the `Last-Event-ID` header)'),
  access_token: z.string().optional().describe('The API key, for clients that cannot send `Authorization` (EventSource)'),
}).catchall(z.unknown());
export const eventsDescription = (what: string) =>
  `Server-Sent Events of ${what}, from its first event (or after \`Last-Event-ID\`, header or \`lastEventId\` query); ` +
  'the stream ends after the final status. With API keys on, browsers (EventSource cannot send headers) may pass the key as ' +
  '`access_token` in the query, on these event routes only; it is never logged.';
export const eventStream = (schemaName: string, example: string) => ({
  'text/event-stream': { schema: z.string().describe(`Frames \`id:\`, \`event:\` (the type) and \`data:\` (JSON, see ${schemaName})`), example },
});

export const simulationRoutes = {
  submit: defineRoute({
    method: 'POST', path: '/v1/simulations', operationId: 'submitSimulation', tags, auth: 'submit',
    summary: 'Submit a simulation',
    body: { schema: specSchema, name: 'spec', example: exampleSpec },
    replies: { 201: { description: 'Queued', schema: simulationSchema, example: exampleQueuedSimulation } },
  }),
  list: defineRoute({
    method: 'GET', path: '/v1/simulations', operationId: 'listSimulations', tags, auth: 'read',
    summary: 'List simulations with filters (status, name, tag, sweep, creation time), sorted, paged by cursor',
    query: listQuerySchema,
    replies: { 200: { description: 'A page', schema: simulationListSchema, example: { items: [exampleSimulation], nextCursor: null } } },
  }),
  get: defineRoute({
    method: 'GET', path: '/v1/simulations/{id}', operationId: 'getSimulation', tags, auth: 'read',
    summary: 'One simulation: status, progress, spec, backend, timings',
    params: idParams,
    replies: { 200: { description: 'The simulation', schema: simulationSchema, example: exampleSimulation }, 404: errorReply(404) },
  }),
  update: defineRoute({
    method: 'PATCH', path: '/v1/simulations/{id}', operationId: 'updateSimulation', tags, auth: 'submit',
    summary: 'Name, tag or note a simulation (absent fields kept, null clears; `tags` replaces them)',
    params: idParams,
    body: { schema: simulationLabelsSchema, name: 'body', example: { name: 'width 64, long run', tags: ['baseline'], note: 'dt halved after the first try diverged' } },
    replies: { 200: { description: 'The simulation, changed', schema: simulationSchema, example: { ...exampleSimulation, name: 'width 64, long run', tags: ['baseline'], note: 'dt halved after the first try diverged' } }, 404: errorReply(404) },
  }),
  cancel: defineRoute({
    method: 'POST', path: '/v1/simulations/{id}/cancel', operationId: 'cancelSimulation', tags, auth: 'submit',
    summary: 'Cancel a queued or running simulation (a running one stops within a second, keeping what it computed)',
    params: idParams, body: noBody,
    replies: { 200: { description: 'The simulation, now cancelled', schema: simulationSchema, example: exampleSimulation }, 404: errorReply(404), 409: errorReply(409) },
  }),
  retry: defineRoute({
    method: 'POST', path: '/v1/simulations/{id}/retry', operationId: 'retrySimulation', tags, auth: 'submit',
    summary: 'Queue a failed or cancelled simulation again, resuming from its checkpoint when it has one',
    params: idParams, body: noBody,
    replies: {
      202: {
        description: 'Queued again; `resumesFromStep` is the step it resumes from',
        schema: simulationSchema.extend({ resumesFromStep: z.number().int() }),
        example: { ...exampleSimulation, status: 'queued', finishedAt: null, resumesFromStep: 1200 },
      },
      404: errorReply(404), 409: errorReply(409),
    },
  }),
  trajectory: defineRoute({
    method: 'GET', path: '/v1/simulations/{id}/trajectory', operationId: 'getTrajectory', tags, auth: 'read',
    summary: 'The trajectory: a step or time range, one replica or all, downsampled (`maxPoints`) or paged (`cursor`); JSON or CSV',
    description: 'Downsampling is done in SQL: the range is cut into buckets by step; each keeps its point of least and of largest `by` and its last point; the first and last points are always kept. Full scans page with `limit` and `nextCursor` (also in the `X-Next-Cursor` header). For a running simulation, a request that arrives while the same query of its newest chunk is being read gets the reply of the chunk before, marked by the header `X-Trajectory-Previous-Chunk: true`; the request that reads the new chunk, and every request after it, sees it.',
    params: idParams, query: trajectoryQuerySchema,
    replies: {
      200: {
        description: 'The points in (replica, step) order',
        content: {
          'application/json': {
            schema: trajectorySchema,
            example: {
              simulationId: SIM, nextCursor: null, downsampled: true,
              points: [{ replica: 0, step: 0, time: 0, trainLoss: 0.52, testLoss: 0.53, testError: null }, { replica: 0, step: 3000, time: 1500, trainLoss: 0.011, testLoss: 0.012, testError: null }],
            },
          },
          'text/csv': { schema: z.string(), example: 'replica,step,time,trainLoss,testLoss,testError\n0,0,0,0.52,0.53,\n' },
        },
      },
      404: errorReply(404),
    },
  }),
  snapshots: defineRoute({
    method: 'GET', path: '/v1/simulations/{id}/snapshots', operationId: 'listSnapshots', tags, auth: 'read',
    summary: 'The steps at which particle snapshots were stored',
    params: idParams,
    replies: { 200: { description: 'Snapshot steps', schema: snapshotListSchema, example: { simulationId: SIM, steps: [0, 3000] } }, 404: errorReply(404) },
  }),
  snapshot: defineRoute({
    method: 'GET', path: '/v1/simulations/{id}/snapshots/{step}', operationId: 'getSnapshot', tags, auth: 'read',
    summary: 'The particles at one stored step: JSON, or raw float32 bytes (`format=binary` or `Accept: application/octet-stream`)',
    params: z.object({ id: idParam, step: z.string().regex(/^\d{1,9}$/, 'not a non-negative integer').meta({ description: 'A stored step (a non-negative integer)' }) }),
    query: z.strictObject({ format: z.enum(['json', 'binary']).optional() }),
    replies: {
      200: {
        description: 'c [R, n], w [R, n, d], b [R, n]; as bytes: float32 little-endian c then w then b, shape in `X-Snapshot-Shape`',
        content: {
          'application/json': { schema: snapshotSchema, example: { simulationId: SIM, step: 0, replicas: 1, width: 2, d: 2, c: [0.1, -0.2], w: [0.3, 0.4, -0.5, 0.6], b: [0, 0] } },
          'application/octet-stream': { schema: z.string().meta({ format: 'binary' }) },
        },
      },
      404: errorReply(404),
    },
  }),
  probes: defineRoute({
    method: 'GET', path: '/v1/simulations/{id}/probes', operationId: 'getProbeOutputs', tags: ['statistics'], auth: 'read',
    summary: 'The probe inputs and every replica\'s outputs on them at every recorded step; JSON or CSV',
    description: 'CSV (`format=csv` or `Accept: text/csv`) has one row per step, replica and probe; the probe inputs are in the JSON reply.',
    params: idParams, query: probesQuerySchema,
    replies: {
      200: {
        description: 'Outputs per recorded step, [replica][probe]',
        content: {
          'application/json': {
            schema: probesReplySchema,
            example: { simulationId: SIM, replicas: 2, probes: 2, d: 2, inputs: [[0.3, -1.1], [1.4, 0.2]], inputsReason: null, steps: [{ step: 0, time: 0, outputs: [[0.01, -0.02], [0.03, 0.0]] }] },
          },
          'text/csv': { schema: z.string(), example: 'step,time,replica,probe,output\n0,0,0,0,0.01\n' },
        },
      },
      404: errorReply(404), 409: errorReply(409, 'Nothing recorded yet'),
    },
  }),
  birthDeath: defineRoute({
    method: 'GET', path: '/v1/simulations/{id}/birth-death', operationId: 'getBirthDeath', tags: ['statistics'], auth: 'read',
    summary: 'Births and deaths per replica between recorded steps (training.birthDeath runs)',
    params: idParams,
    replies: {
      200: {
        description: 'Per recorded step, births[replica] and deaths[replica] since the previous recorded step',
        content: { 'application/json': { schema: birthDeathReplySchema, example: { simulationId: SIM, replicas: 2, steps: [{ step: 10, time: 1, births: [3, 1], deaths: [2, 4] }] } } },
      },
      404: errorReply(404), 409: errorReply(409, 'Not a birth-death run'),
    },
  }),
  statistics: defineRoute({
    method: 'GET', path: '/v1/simulations/{id}/statistics', operationId: 'getSimulationStatistics', tags: ['statistics'], auth: 'read',
    summary: 'Statistics over the replicas per recorded time',
    params: idParams,
    replies: {
      200: { description: 'Stored statistics', schema: simulationStatisticsSchema, example: { simulationId: SIM, width: 8, replicas: 4, rows: [exampleStatisticsRow] } },
      404: errorReply(404), 409: errorReply(409, 'Not finished yet'),
    },
  }),
  exportZip: defineRoute({
    method: 'GET', path: '/v1/simulations/export.zip', operationId: 'exportSimulations', tags, auth: 'read',
    summary: 'A selection of simulations as one zip: per run its simulation.json (spec, status, columns), trajectory.csv (every point) and statistics.json (once stored)',
    description: `Streamed as it is read (one trajectory page in memory at a time). At most ${EXPORT_LIMITS.maxSimulations} ids; a plain zip, so at most 4 GiB (a larger export stops with an error: export fewer runs). Entries: \`runs/<first 8 of the id>-<name>/...\`.`,
    query: exportQuerySchema,
    replies: {
      200: { description: 'The zip', content: { 'application/zip': { schema: z.string().meta({ format: 'binary' }), example: 'PK\u0003\u0004 (zip bytes: runs/6f1c2b7e-3-spin/simulation.json, trajectory.csv, statistics.json)' } } },
      404: errorReply(404, 'An id that is not a simulation of this project (the message names it)'),
    },
  }),
  events: defineRoute({
    method: 'GET', path: '/v1/simulations/{id}/events', operationId: 'streamSimulationEvents', tags: ['events'], auth: 'read', queryToken: true,
    summary: 'Live progress and status changes of a simulation (Server-Sent Events)',
    description: eventsDescription('a simulation (`status`, `progress` with the latest replica-mean losses; schema SimulationEvent)'),
    params: idParams, query: eventQuerySchema,
    replies: {
      200: {
        description: 'An event stream',
        content: eventStream('SimulationEvent', sseExample([
          { type: 'status', data: { simulationId: SIM, status: 'running', stepsDone: 0, totalSteps: 3000, progress: 0, at: AT } },
          { id: '1768471200000-0', type: 'progress', data: { simulationId: SIM, stepsDone: 500, totalSteps: 3000, progress: 0.1667, trainLoss: 0.31, testLoss: 0.32, at: AT } },
          { id: '1768471260000-0', type: 'status', data: { simulationId: SIM, status: 'completed', stepsDone: 3000, at: AT } },
        ])),
      },
      404: errorReply(404),
    },
  }),
};
