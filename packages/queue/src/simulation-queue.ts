// The queues that carry simulations from the API to the workers.
// GPU and CPU workers take from their own queues, so a job that needs a GPU waits for one.
import { Queue, type ConnectionOptions } from 'bullmq';
import { QUEUE_PREFIX } from './connection.ts';
import { RUN_RETENTION } from './retention.ts';

export const SIMULATION_QUEUES = { cpu: 'simulations-cpu', gpu: 'simulations-gpu' } as const;
export type WorkerKind = keyof typeof SIMULATION_QUEUES;

/** What a simulation job carries: the row holds everything else. */
export interface SimulationJobData {
  simulationId: string;
}

export type SimulationQueue = Queue<SimulationJobData, void, 'run-simulation'>;

export function openSimulationQueue(kind: WorkerKind, connection: ConnectionOptions): SimulationQueue {
  return new Queue(SIMULATION_QUEUES[kind], {
    connection,
    prefix: QUEUE_PREFIX,
    defaultJobOptions: {
      // A worker that dies mid-run leaves a stalled job; BullMQ hands it to another worker,
      // which resumes from the last checkpoint. Errors in the engine are final (no retry).
      attempts: 1,
      ...RUN_RETENTION,
    },
  });
}

/** Queues a run; the job id is the simulation id, so a simulation is never queued twice. */
export async function enqueueSimulation(queue: SimulationQueue, simulationId: string, priority = 0): Promise<void> {
  await queue.add('run-simulation', { simulationId }, { jobId: simulationId, priority: priority || undefined });
}
