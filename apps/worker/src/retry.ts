// Database writes are retried with backoff, so a short Postgres outage loses nothing.
export async function withRetry<T>(fn: () => Promise<T>, options: { attempts?: number; firstDelayMs?: number } = {}): Promise<T> {
  const attempts = options.attempts ?? 8;
  let delay = options.firstDelayMs ?? 250;
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= attempts || !isTransient(err)) throw err;
      await new Promise((r) => setTimeout(r, delay));
      delay = Math.min(delay * 2, 5_000);
    }
  }
}

// Connection-level failures are worth retrying; a constraint violation or a bug is not.
function isTransient(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', '57P01', '57P03', '08006', '08001', 'P1001', 'P1017'].includes(e?.code ?? '') ||
    /connect|Connection terminated|timeout/i.test(e?.message ?? '')
  );
}
