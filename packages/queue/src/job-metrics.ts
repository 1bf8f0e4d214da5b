// Counters the workers keep in Redis and the API's /metrics reads: jobs started, completed,
// failed, steps done, and each worker's latest steps per second.
import type { ChainableCommander, Redis } from 'ioredis';

const COUNTERS = 'mfsim:metrics:counters';
const RATES = 'mfsim:metrics:rates';
/** A worker's rate older than this is not counted (the worker is idle or gone). */
const FRESH_MS = 30_000;

export type JobCounter = 'jobs_started' | 'jobs_completed' | 'jobs_failed' | 'jobs_cancelled' | 'steps';

export async function countJobMetric(redis: Redis, counter: JobCounter, by = 1): Promise<void> {
  await redis.hincrby(COUNTERS, counter, by);
}

export async function reportStepRate(redis: Redis, workerId: string, stepsPerSecond: number): Promise<void> {
  await redis.hset(RATES, workerId, JSON.stringify({ stepsPerSecond, at: Date.now() }));
}

/** countJobMetric's command, added to a pipeline the caller sends (live-batch.ts). */
export function addJobMetric(p: ChainableCommander, counter: JobCounter, by = 1): void {
  p.hincrby(COUNTERS, counter, by);
}

/** reportStepRate's command, added to a pipeline the caller sends (live-batch.ts). */
export function addStepRate(p: ChainableCommander, workerId: string, stepsPerSecond: number): void {
  p.hset(RATES, workerId, JSON.stringify({ stepsPerSecond, at: Date.now() }));
}

export async function readJobMetrics(redis: Redis): Promise<{ counters: Record<string, number>; stepsPerSecond: number; busyWorkers: number }> {
  const [counters, rates] = await Promise.all([redis.hgetall(COUNTERS), redis.hgetall(RATES)]);
  let stepsPerSecond = 0;
  let busyWorkers = 0;
  const now = Date.now();
  for (const raw of Object.values(rates)) {
    const r = JSON.parse(raw) as { stepsPerSecond: number; at: number };
    if (now - r.at < FRESH_MS) {
      stepsPerSecond += r.stepsPerSecond;
      busyWorkers++;
    }
  }
  return { counters: Object.fromEntries(Object.entries(counters).map(([k, v]) => [k, Number(v)])), stepsPerSecond, busyWorkers };
}
