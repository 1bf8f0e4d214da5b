// Worker configuration from the environment, with local defaults.
import type { WorkerKind } from '@mfsim/queue';
import { leaseSeconds } from './lease.ts';

export interface WorkerConfig {
  kind: WorkerKind;
  databaseUrl?: string;
  redisUrl?: string;
  /** MFSIM_KERNEL: auto (default), native, cuda, tfjs, tfjs-wasm, tfjs-cpu. */
  kernelPreference?: string;
  checkpointSeconds: number;
  /** Milliseconds a job lock lives without renewal; a dead worker's job is resumed after it. */
  lockDurationMs: number;
  /** Milliseconds between checks for stalled jobs (MFSIM_STALLED_INTERVAL_MS; short in tests). */
  stalledIntervalMs: number;
  /** Times a job may stall (its worker died) and resume before it fails (MFSIM_MAX_STALLS, default 10). */
  maxStalls: number;
  /** Seconds a run's lease in Postgres lasts without renewal (MFSIM_LEASE_SECONDS, default 60; renewed every quarter). */
  leaseSeconds: number;
}

export function workerConfig(env = process.env): WorkerConfig {
  const kind = env.MFSIM_WORKER_KIND === 'gpu' ? 'gpu' : 'cpu';
  return {
    kind,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    kernelPreference: env.MFSIM_KERNEL ?? (kind === 'gpu' ? 'cuda' : 'auto'),
    checkpointSeconds: Number(env.MFSIM_CHECKPOINT_SECONDS ?? 5),
    lockDurationMs: Number(env.MFSIM_LOCK_DURATION_MS ?? 30_000),
    stalledIntervalMs: Number(env.MFSIM_STALLED_INTERVAL_MS ?? 30_000),
    maxStalls: Number(env.MFSIM_MAX_STALLS ?? 10),
    leaseSeconds: leaseSeconds(env),
  };
}
