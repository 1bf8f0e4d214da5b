// Database calls are retried with backoff until a deadline, so a Postgres outage (a restart, a
// failover) pauses a run instead of failing it: the engine thread waits for the ack of its chunk
// with its state in memory, and the run goes on when Postgres answers again.
// The deadline is MFSIM_DB_OUTAGE_SECONDS (default 600: ten minutes); delays grow from 250 ms to 5 s.

/** Seconds a worker waits for Postgres before it gives up on a call. */
export function outageSeconds(env: Record<string, string | undefined> = process.env): number {
  const v = Number(env.MFSIM_DB_OUTAGE_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : 600;
}

export interface RetryOptions {
  /** Give up after this many tries (default: no limit, only the deadline). */
  attempts?: number;
  firstDelayMs?: number;
  /** Give up this long after the first failure (default: outageSeconds()). */
  deadlineMs?: number;
  /** Told of each failure that will be retried. */
  onRetry?: (err: Error, attempt: number) => void;
}

export async function withRetry<T>(fn: () => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? Infinity;
  let delay = options.firstDelayMs ?? 250;
  let deadline: number | undefined;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      deadline ??= Date.now() + (options.deadlineMs ?? outageSeconds() * 1000);
      if (i >= attempts || Date.now() + delay > deadline || !isTransient(err)) throw err;
      options.onRetry?.(err as Error, i);
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

// Connection-level failures are worth retrying; a constraint violation or a bug is not.
export function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: unknown };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', 'P1001', 'P1002', 'P1017', 'P2024'].includes(e?.code ?? '') ||
    /connect|Connection terminated|timeout|the database system is (starting|shutting) up|terminating connection/i.test(e?.message ?? '') ||
    (e?.cause !== undefined && e.cause !== err && isTransient(e.cause))
  );
}
