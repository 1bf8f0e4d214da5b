// A worker process: one engine thread, one BullMQ worker on the queue of its kind.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Worker } from 'bullmq';
import { connectDatabase, markLost } from '@mfsim/db';
import { QUEUE_PREFIX, SIMULATION_QUEUES, onCancelRequests, redisClient, redisConnection, registerWorker, type SimulationJobData } from '@mfsim/queue';
import type { WorkerConfig } from './config.ts';
import { EngineHost } from './engine/engine-host.ts';
import { holdLease } from './lease.ts';
import { runSimulation } from './run-simulation.ts';
import { withRetry } from './retry.ts';
import { startSweepWorkers } from './sweep-worker.ts';

export interface RunningWorker {
  id: string;
  engine: EngineHost;
  /** Stops taking jobs, hands a running job back at its next chunk, closes connections. */
  close(): Promise<void>;
}

export async function startWorker(config: WorkerConfig, log = console.log): Promise<RunningWorker> {
  const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const engine = await EngineHost.start({ kernelPreference: config.kernelPreference });
  log(`worker ${id}: ${config.kind} queue, kernel ${engine.info.kernel} on ${engine.info.device} (${engine.info.reason})`);

  const db = connectDatabase({ url: config.databaseUrl, max: 4 });
  const redis = redisClient(config.redisUrl);
  await registerWorker(redis, {
    id, kind: config.kind, kernel: engine.info.kernel, device: engine.info.device, startedAt: new Date().toISOString(),
  });

  let shuttingDown = false;
  const worker = new Worker<SimulationJobData, void>(
    SIMULATION_QUEUES[config.kind],
    async (job, token, signal) => {
      // The run's lease in Postgres: renewed while it runs, given up when it ends (lease.ts).
      const lease = holdLease(db, job.data.simulationId, id, config.leaseSeconds, (msg, extra) => log(`worker ${id}: ${msg}`, extra ?? ''));
      try {
        return await runSimulation(job, token, {
        leaseSeconds: config.leaseSeconds,
        leaseLost: lease.lost,
        leaseClaimed: lease.claimed,
        leaseReleased: lease.releasedByRun,
        redis,
        workerId: id,
        signal,
        db,
        engine,
        checkpointSeconds: config.checkpointSeconds,
        shuttingDown: () => shuttingDown,
        log: (msg, extra) => log(`worker ${id}: ${msg}`, extra ?? ''),
        });
      } finally {
        await lease.release();
      }
    },
    {
      connection: redisConnection(config.redisUrl),
      prefix: QUEUE_PREFIX,
      concurrency: 1,
      lockDuration: config.lockDurationMs,
      stalledInterval: config.stalledIntervalMs,
      // A job whose worker died is resumed from its checkpoint, several times if need be.
      maxStalledCount: config.maxStalls,
    },
  );
  // A client's cancel: the worker running the job aborts it; the others ignore the message.
  const subscriber = redisClient(config.redisUrl);
  subscriber.on('error', () => {});
  const unsubscribe = await onCancelRequests(subscriber, (simulationId) => {
    if (worker.cancelJob(simulationId, 'cancelled by a client')) log(`worker ${id}: cancelling ${simulationId}`);
  });
  worker.on('failed', (job, err) => {
    log(`worker ${id}: job ${job?.id} failed: ${err.message}`);
    // A job that failed for good without its runner finishing the row (it stalled too often, or
    // the runner could not write): the row must not stay queued or running forever.
    if (job?.id && job.finishedOn) {
      void withRetry(() => markLost(db, job.id!, `the job was lost: ${err.message}`))
        .then((marked) => marked && log(`worker ${id}: marked ${job.id} failed (${err.message})`))
        .catch((e: Error) => log(`worker ${id}: could not mark ${job.id} failed: ${e.message}`));
    }
  });
  worker.on('error', (err) => log(`worker ${id}: ${err.message}`));
  const sweeps = startSweepWorkers(config, db, (msg, extra) => log(`worker ${id}: ${msg}`, extra ?? ''));

  return {
    id,
    engine,
    async close() {
      shuttingDown = true;
      await unsubscribe();
      subscriber.disconnect();
      await worker.close();
      await sweeps.close();
      await engine.stop();
      redis.disconnect();
      await db.close();
    },
  };
}
