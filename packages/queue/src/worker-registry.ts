// Which kinds of workers have ever registered with this service, and on what devices.
// A GPU worker registers at start; the API refuses `resources.gpu: "required"` until one has.
import type { Redis } from 'ioredis';
import type { WorkerKind } from './simulation-queue.ts';

const REGISTRY_KEY = (kind: WorkerKind) => `mfsim:workers:${kind}`;

export interface WorkerInfo {
  id: string;
  kind: WorkerKind;
  kernel: string;
  device: string;
  startedAt: string;
}

export async function registerWorker(redis: Redis, info: WorkerInfo): Promise<void> {
  await redis.hset(REGISTRY_KEY(info.kind), info.id, JSON.stringify(info));
}

export async function gpuWorkersRegistered(redis: Redis): Promise<boolean> {
  return (await redis.hlen(REGISTRY_KEY('gpu'))) > 0;
}

export async function registeredWorkers(redis: Redis, kind: WorkerKind): Promise<WorkerInfo[]> {
  const all = await redis.hvals(REGISTRY_KEY(kind));
  return all.map((v) => JSON.parse(v) as WorkerInfo);
}

/**
 * The queue for a spec's `resources.gpu`: "no" runs on CPU; otherwise on GPU once a GPU worker
 * has registered ("required" waits for one even when none has).
 */
export function queueKindFor(gpu: 'required' | 'preferred' | 'no', haveGpu: boolean): WorkerKind {
  if (gpu === 'no') return 'cpu';
  return haveGpu || gpu === 'required' ? 'gpu' : 'cpu';
}
