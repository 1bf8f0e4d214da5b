// How many workers of each kind are alive (connected to their queue now: BullMQ's worker list),
// how many jobs wait for them, and a warning for a queue that has jobs and no worker. Every Redis
// read is bounded by `timeoutMs`: while Redis is down the answer is "unknown" (null), at once.
import type { ApiDeps } from './deps.ts';

export interface WorkerCensus {
  /** Alive workers per kind; null when Redis did not answer in time. */
  workers: Record<string, number> | null;
  /** Jobs waiting (or prioritized) per kind; null when unknown. */
  waiting: Record<string, number> | null;
  warnings: string[];
}

/** `p`, or undefined when it fails or takes longer than `ms`. */
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p.catch(() => undefined), new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export async function workerCensus(deps: Pick<ApiDeps, 'queues'>, timeoutMs = 500): Promise<WorkerCensus> {
  const kinds = Object.entries(deps.queues);
  const answers = await within(
    Promise.all(kinds.map(async ([kind, q]) => {
      const [alive, counts] = await Promise.all([q.getWorkersCount(), q.getJobCounts('waiting', 'prioritized')]);
      return [kind, alive, (counts.waiting ?? 0) + (counts.prioritized ?? 0)] as const;
    })),
    timeoutMs,
  );
  if (!answers) return { workers: null, waiting: null, warnings: ['Redis did not answer: worker counts unknown'] };
  const warnings = answers
    .filter(([, alive, waiting]) => alive === 0 && waiting > 0)
    .map(([kind, , waiting]) => `${waiting} job(s) wait on the ${kind} queue and no ${kind} worker is alive`);
  return {
    workers: Object.fromEntries(answers.map(([kind, alive]) => [kind, alive])),
    waiting: Object.fromEntries(answers.map(([kind, , waiting]) => [kind, waiting])),
    warnings,
  };
}
