// A sweep as a BullMQ flow: the parent job 'aggregate-sweep' on the sweeps queue waits for its
// children, the simulations' 'run-simulation' jobs on the cpu or gpu queue.
import { FlowProducer, Queue, type ConnectionOptions } from 'bullmq';

export type { FlowProducer };
import { SIMULATION_QUEUES, type WorkerKind } from './simulation-queue.ts';
import { QUEUE_PREFIX } from './connection.ts';
import { RUN_RETENTION } from './retention.ts';

export const SWEEP_QUEUE = 'sweeps';

export interface SweepJobData {
  sweepId: string;
}

export type SweepQueue = Queue<SweepJobData, void, 'aggregate-sweep'>;

export function openSweepQueue(connection: ConnectionOptions): SweepQueue {
  return new Queue(SWEEP_QUEUE, { connection, prefix: QUEUE_PREFIX });
}

export function openFlowProducer(connection: ConnectionOptions): FlowProducer {
  return new FlowProducer({ connection, prefix: QUEUE_PREFIX });
}

/**
 * Queues the sweep's flow. Job ids are the sweep and simulation ids, so nothing is queued twice.
 * `ignoreDependencyOnFailure`: a child that fails (the runner throws after marking its row
 * `failed`) is moved to the parent's failed dependencies instead of holding the parent back or
 * failing it, so the aggregation still runs once every child is done, and reports the point as missing.
 * (`continueParentOnFailure` would start the parent at the first failure, before the others finish.)
 */
export async function enqueueSweepFlow(
  flows: FlowProducer,
  sweepId: string,
  children: { simulationId: string; kind: WorkerKind }[],
  o: { aggregationJobId?: string } = {},
): Promise<void> {
  await flows.add({
    name: 'aggregate-sweep',
    queueName: SWEEP_QUEUE,
    data: { sweepId } satisfies SweepJobData,
    opts: {
      jobId: o.aggregationJobId ?? sweepId,
      attempts: 3,
      backoff: { type: 'exponential', delay: 1_000 },
      ...RUN_RETENTION,
    },
    children: children.map(({ simulationId, kind }) => ({
      name: 'run-simulation',
      queueName: SIMULATION_QUEUES[kind],
      data: { simulationId },
      opts: {
        jobId: simulationId,
        attempts: 1,
        ignoreDependencyOnFailure: true,
        ...RUN_RETENTION,
      },
    })),
  });
}

/**
 * Queues a retried child of a sweep with an aggregation of its own, which runs once the child is
 * done: the sweep's statistics then include the point (the sweep's first aggregation may be over).
 */
export async function enqueueSweepChildRetry(flows: FlowProducer, sweepId: string, child: { simulationId: string; kind: WorkerKind }): Promise<void> {
  await enqueueSweepFlow(flows, sweepId, [child], { aggregationJobId: `${sweepId}-after-retry-of-${child.simulationId}-${Date.now()}` });
}

/** True when the sweep's parent job is in Redis (in any state). */
export async function sweepFlowQueued(queue: SweepQueue, sweepId: string): Promise<boolean> {
  return (await queue.getJob(sweepId)) !== undefined;
}
