// Counting a key's requests in fixed one-minute windows: in Redis (shared by every API process),
// and, while Redis does not answer, in this process's memory. Keys are checked against Postgres
// either way, so reads (and everything that needs no queue) keep working through a Redis outage
// instead of answering 503; the limit then holds per API process (with k processes a key may get
// up to k times its limit for the minutes Redis is down). Redis counts again once it answers.
import type { Redis } from 'ioredis';

/** How long a count may wait on Redis before this process counts alone. */
const REDIS_WAIT_MS = 500;
const LOCAL_KEYS_MAX = 100_000;

export interface RequestCount {
  count: number;
  /** Counted in this process only (Redis did not answer). */
  local: boolean;
}

export class RateWindows {
  private readonly local = new Map<string, number>();
  private localWindow = -1;

  constructor(private readonly redis: Redis, private readonly onFallback: (err: Error) => void = () => {}) {}

  /** This request's number in `window` (minutes since the epoch) for the key `id`. */
  async count(id: string, window: number): Promise<RequestCount> {
    const key = `mfsim:rate:${id}:${window}`;
    // A client that is not connected would queue the command until Redis is back: count here at once.
    if (this.redis.status === 'ready') {
      let timer: NodeJS.Timeout | undefined;
      try {
        const r = await Promise.race([
          this.redis.multi().incr(key).expire(key, 61).exec(),
          new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${REDIS_WAIT_MS} ms`)), REDIS_WAIT_MS))),
        ]);
        const [err, value] = r?.[0] ?? [new Error('empty reply'), 0];
        if (err) throw err;
        return { count: Number(value), local: false };
      } catch (err) {
        this.onFallback(err as Error);
      } finally {
        clearTimeout(timer);
      }
    } else this.onFallback(new Error(`Redis is ${this.redis.status}`));
    if (window !== this.localWindow || this.local.size > LOCAL_KEYS_MAX) {
      this.local.clear();
      this.localWindow = window;
    }
    const count = (this.local.get(key) ?? 0) + 1;
    this.local.set(key, count);
    return { count, local: true };
  }
}
