// Cancel and retry a simulation.
import type { FastifyInstance } from 'fastify';
import {
  apiRoutes, SIMULATION_TRANSITIONS, simulationMay, simulationStatusesFor, specSchema, SWEEP_TRANSITIONS, type SimulationEvent,
} from '@mfsim/contracts';
import { checkpointStep, findSimulation, markCancelled, markRequeued, reopenSweep } from '@mfsim/db';
import { requestCancel } from '@mfsim/queue';
import { publishSimulationEvent, publishSweepEvent, queueSimulation, queueSweepChildAgain, type PublishOptions } from '@mfsim/lifecycle';
import { projectOf } from '../auth.ts';
import { RequestError, UnavailableError } from '../errors.ts';
import { route } from '../route.ts';
import { simulationReply } from '../replies.ts';
import { chooseQueue } from '../submission.ts';
import { simulationOr404 } from './simulations.ts';

/**
 * The row turns final (failed, cancelled) a moment before its worker hands the job back to the
 * queue: a retry sent as soon as a client sees the final status waits for that, polling, up to
 * STOPPING_WAIT_MS (a loaded machine), before it answers 409 with Retry-After.
 */
const STOPPING_WAIT_MS = 10_000;
async function stillActive(job: { isActive(): Promise<boolean> }): Promise<boolean> {
  for (const end = Date.now() + STOPPING_WAIT_MS; await job.isActive(); ) {
    if (Date.now() > end) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

export default async function simulationControlRoutes(app: FastifyInstance) {
  const { deps } = app;
  const event = (event: Omit<SimulationEvent, 'type' | 'at'>, o: PublishOptions = {}) =>
    publishSimulationEvent(deps.redis, { type: 'status', ...event }, o).catch(() => {});

  /**
   * queued: the job leaves the queue; running: the worker running it is told (pub/sub -> its
   * AbortSignal) and stops after the chunk in hand, keeping what it computed. 409 when final.
   */
  route(app, apiRoutes.simulations.cancel, async (request) => {
    const row = await simulationOr404(app, request.params.id, projectOf(request));
    const before = await markCancelled(deps.db, row.id, row.project);
    if (!before) {
      throw new RequestError(409, `simulation is ${row.status}; only ${simulationStatusesFor('cancel')} ones can be cancelled`, [
        { path: 'status', message: `is ${row.status}` },
      ]);
    }
    // Remove a waiting job; an active one (locked by a worker) cannot be removed and is told instead.
    for (const queue of Object.values(deps.queues)) {
      const job = await queue.getJob(row.id);
      if (job && !(await job.isActive())) await job.remove().catch(() => {});
    }
    await requestCancel(deps.redis, row.id);
    await event({ simulationId: row.id, status: SIMULATION_TRANSITIONS.cancel.to, stepsDone: row.stepsDone });
    return simulationReply((await findSimulation(deps.db, row.id, row.project))!);
  });

  /** failed or cancelled -> queued again, resuming from its checkpoint when there is one. */
  route(app, apiRoutes.simulations.retry, async (request, reply) => {
    const row = await simulationOr404(app, request.params.id, projectOf(request));
    if (!simulationMay(row.status, 'retry')) {
      throw new RequestError(409, `simulation is ${row.status}; only ${simulationStatusesFor('retry')} ones can be retried`, [
        { path: 'status', message: `is ${row.status}` },
      ]);
    }
    // The old job (kept for a while after it ended) holds the job id: remove it first.
    for (const queue of Object.values(deps.queues)) {
      const job = await queue.getJob(row.id);
      if (!job) continue;
      if (await stillActive(job)) {
        reply.header('Retry-After', '1');
        throw new RequestError(409, 'the previous run is still stopping; retry in a second', [{ path: 'status', message: 'still stopping' }]);
      }
      await job.remove();
    }
    const spec = specSchema.parse(row.spec);
    const kind = await chooseQueue(deps, spec);
    if (!(await markRequeued(deps.db, row.id, row.project))) {
      throw new RequestError(409, 'simulation changed meanwhile; read it again', [{ path: 'status', message: 'changed' }]);
    }
    // Its step only: the checkpoint itself (up to hundreds of MB) is the worker's to load.
    const resumesFromStep = (await checkpointStep(deps.db, row.id)) ?? 0;
    // The new attempt's first event, before the job exists, so it comes before the worker's.
    await event({ simulationId: row.id, status: SIMULATION_TRANSITIONS.retry.to, stepsDone: resumesFromStep, retry: true }, { startsAttempt: true });
    try {
      if (row.sweepId) {
        // A sweep's child: its sweep runs again and is aggregated again once this run ends.
        await reopenSweep(deps.db, row.sweepId);
        await publishSweepEvent(deps.redis, { type: 'status', sweepId: row.sweepId, status: SWEEP_TRANSITIONS.reopen.to, retried: row.id }, { startsAttempt: true })
          .catch(() => {});
        await queueSweepChildAgain(deps, row.sweepId, { simulationId: row.id, kind });
      } else await queueSimulation(deps, { id: row.id, spec, kind });
    } catch (err) {
      throw new UnavailableError(`could not queue the simulation: ${(err as Error).message}`);
    }
    reply.status(202);
    return { ...simulationReply((await findSimulation(deps.db, row.id, row.project))!), resumesFromStep };
  });
}
