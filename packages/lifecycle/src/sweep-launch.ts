// Launching a sweep, written once for POST /v1/sweeps (apps/api) and a schedule's firing
// (apps/worker): write the sweep and its children in one transaction, then queue its flow with each
// child on the queue its own `resources.gpu` asks for. Queuing a sweep's children again (a firing
// retried after the flow was lost, recovery) places each child by its stored spec the same way.
import type { FlowProducer } from 'bullmq';
import type { Redis } from 'ioredis';
import { specSchema, type expandSweep, type SweepRequest } from '@mfsim/contracts';
import { createSweep, deleteSweep, sweepChildSpecs, type Database, type IdempotentWrite, type SweepRow, type WrittenSweep } from '@mfsim/db';
import { enqueueSweepFlow, gpuWorkersRegistered, queueKindFor } from '@mfsim/queue';

export interface SweepLaunchDeps {
  db: Database;
  redis: Redis;
  flows: FlowProducer;
}

export type SweepExpansionOk = Extract<ReturnType<typeof expandSweep>, { ok: true }>;

/** The flow could not be queued; the sweep was removed (`removeOnQueueFailure`) or kept for a retry. */
export class SweepQueueError extends Error {
  constructor(override readonly cause: unknown) {
    super(`could not queue the sweep: ${(cause as Error).message}`);
    this.name = 'SweepQueueError';
  }
}

export async function launchSweep(
  deps: SweepLaunchDeps,
  launch: {
    project: string;
    request: SweepRequest;
    expansion: SweepExpansionOk;
    scheduleId?: string;
    firingId?: string;
    /** Remove the sweep when its flow cannot be queued (a request answers 503; a firing is retried instead). */
    removeOnQueueFailure?: boolean;
    /** A POST's held Idempotency-Key: its reply is recorded in the sweep's transaction (and released with a removed sweep). */
    idempotent?: IdempotentWrite<WrittenSweep>;
  },
): Promise<SweepRow> {
  const { request, expansion } = launch;
  const { sweep, childIds } = await createSweep(deps.db, {
    project: launch.project,
    name: request.name,
    base: request.base,
    grid: request.grid,
    replicas: expansion.points[0].spec.replicas,
    seed: expansion.seed,
    ...(launch.scheduleId && { scheduleId: launch.scheduleId }),
    ...(launch.firingId && { firingId: launch.firingId }),
    points: expansion.points,
  }, { idempotent: launch.idempotent });
  try {
    const haveGpu = await gpuWorkersRegistered(deps.redis);
    await enqueueSweepFlow(
      deps.flows,
      sweep.id,
      childIds.map((simulationId, i) => ({ simulationId, kind: queueKindFor(expansion.points[i].spec.resources.gpu, haveGpu) })),
    );
  } catch (err) {
    if (launch.removeOnQueueFailure) await deleteSweep(deps.db, sweep.id, { idempotent: launch.idempotent });
    throw new SweepQueueError(err);
  }
  return sweep;
}

/** Queues the flow of a sweep already written, each child placed by its own stored spec. */
export async function requeueSweepFlow(deps: SweepLaunchDeps, sweepId: string, o: { aggregationJobId?: string; only?: Set<string> } = {}) {
  const children = (await sweepChildSpecs(deps.db, sweepId)).filter((c) => !o.only || o.only.has(c.id));
  const haveGpu = await gpuWorkersRegistered(deps.redis);
  const kinds = children.map((c) => {
    const spec = specSchema.safeParse(c.spec);
    return queueKindFor(spec.success ? spec.data.resources.gpu : 'preferred', haveGpu);
  });
  await enqueueSweepFlow(deps.flows, sweepId, children.map((c, i) => ({ simulationId: c.id, kind: kinds[i] })), o);
}
