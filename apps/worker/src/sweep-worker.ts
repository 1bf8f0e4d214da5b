// The sweep side of a worker process: aggregates sweeps whose children are done, and turns
// schedule firings into sweeps. Both are short jobs next to the simulation runs.
import { Worker } from 'bullmq';
import type { Database } from '@mfsim/db';
import {
  QUEUE_PREFIX, SCHEDULE_QUEUE, SWEEP_QUEUE, openFlowProducer, openSweepQueue, redisClient, redisConnection,
  type ScheduleFiringData, type SweepJobData,
} from '@mfsim/queue';
import { aggregateSweepJob } from './aggregate-sweep.ts';
import { fireSchedule } from './fire-schedule.ts';

export interface SweepWorkers {
  close(): Promise<void>;
}

export function startSweepWorkers(
  config: { redisUrl?: string },
  db: Database,
  log: (msg: string, extra?: Record<string, unknown>) => void,
): SweepWorkers {
  const connection = redisConnection(config.redisUrl);
  const redis = redisClient(config.redisUrl);
  const flows = openFlowProducer(connection);
  const sweepQueue = openSweepQueue(connection);
  const aggregator = new Worker<SweepJobData, void>(SWEEP_QUEUE, (job) => aggregateSweepJob(job, { db, log, redis }), {
    connection,
    prefix: QUEUE_PREFIX,
    concurrency: 1,
  });
  const firings = new Worker<ScheduleFiringData, string | null>(
    SCHEDULE_QUEUE,
    (job) => fireSchedule(job, { db, redis, flows, sweepQueue, log }),
    { connection, prefix: QUEUE_PREFIX, concurrency: 1 },
  );
  for (const w of [aggregator, firings]) {
    w.on('failed', (job, err) => log(`job ${job?.id} on ${w.name} failed: ${err.message}`));
    w.on('error', (err) => log(`${w.name}: ${err.message}`));
  }
  return {
    async close() {
      await Promise.all([aggregator.close(), firings.close()]);
      await Promise.all([flows.close(), sweepQueue.close()]);
      redis.disconnect();
    },
  };
}
