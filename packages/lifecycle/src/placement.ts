// Placing a simulation on a queue: one rule (packages/queue `queueKindFor`: "no" -> cpu, otherwise
// gpu when a GPU worker has registered or the spec requires one), with the registry asked of Redis
// at most once a second per Redis client instead of on every submission. Registration only ever
// grows, so a stale "no" lasts at most a second; a refusal ("required" and no GPU worker) is never
// made on a cached answer.
import type { Redis } from 'ioredis';
import type { Spec } from '@mfsim/contracts';
import { gpuWorkersRegistered, queueKindFor, type WorkerKind } from '@mfsim/queue';

const gpuKnown = new WeakMap<object, { at: number; value: Promise<boolean> }>();
const GPU_LOOKUP_MS = 1_000;

/** Whether a GPU worker has ever registered (cached for a second unless `fresh`). */
export function gpuWorkersKnown(redis: Redis, fresh = false): Promise<boolean> {
  const seen = gpuKnown.get(redis);
  if (!fresh && seen && Date.now() - seen.at < GPU_LOOKUP_MS) return seen.value;
  const value = gpuWorkersRegistered(redis);
  gpuKnown.set(redis, { at: Date.now(), value });
  // A failed lookup is not kept: the next caller asks again.
  value.catch(() => gpuKnown.delete(redis));
  return value;
}

/** A spec that requires a GPU while no GPU worker has ever registered (the API answers 400). */
export class NoGpuWorkerError extends Error {
  constructor() {
    super('no GPU worker has ever registered with this service');
    this.name = 'NoGpuWorkerError';
  }
}

/** The queue for `spec`; throws NoGpuWorkerError for "required" with no GPU worker (unless `waitForGpu`). */
export async function placeSimulation(redis: Redis, spec: Pick<Spec, 'resources'>, o: { waitForGpu?: boolean } = {}): Promise<WorkerKind> {
  const gpu = spec.resources.gpu;
  if (gpu === 'no') return 'cpu';
  let haveGpu = await gpuWorkersKnown(redis);
  if (gpu === 'required' && !haveGpu) haveGpu = await gpuWorkersKnown(redis, true);
  if (gpu === 'required' && !haveGpu && !o.waitForGpu) throw new NoGpuWorkerError();
  return queueKindFor(gpu, haveGpu);
}
