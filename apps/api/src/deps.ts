// What the routes need from the outside world, built once and handed to buildApp.
import type { Database } from '@mfsim/db';
import type { FlowProducer, SimulationQueue, WorkerKind } from '@mfsim/queue';
import type { Redis } from 'ioredis';
import type { Quotas } from './quotas.ts';

export interface ApiDeps {
  db: Database;
  /** The simulation queues, one per worker kind. */
  queues: Record<WorkerKind, SimulationQueue>;
  /** Queues sweeps as BullMQ flows (children, then the aggregation). */
  flows: FlowProducer;
  /** A plain Redis client for health checks and the worker registry. */
  redis: Redis;
  /** Bytes a worker can hold for one simulation; larger specs are refused. */
  memoryBudgetBytes: number;
  /** Per-project quotas on a submission's estimated cost (quotas.ts); buildApp sets them from its security options. */
  quotas?: Quotas;
}

declare module 'fastify' {
  interface FastifyInstance {
    deps: ApiDeps;
  }
}
