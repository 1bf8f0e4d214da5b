// Redis connection settings from REDIS_URL (default: the local server).
import type { ConnectionOptions } from 'bullmq';
import { Redis } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export function redisUrl(url?: string): string {
  return url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
}

/** BullMQ connection options for a redis:// URL. */
export function redisConnection(url?: string): ConnectionOptions {
  const u = new URL(redisUrl(url));
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    // Workers block on Redis; BullMQ requires unlimited retries per request for them.
    maxRetriesPerRequest: null,
  };
}

/** A plain client for health checks and counters. */
export function redisClient(url?: string): Redis {
  return new Redis(redisUrl(url), { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
}

/** True when Redis answers PING within `timeoutMs`. */
export async function redisReachable(client: Redis, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([client.ping().then((r) => r === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
