// A short log of each simulation's events in a Redis stream, written by the worker (progress,
// status) and the API (queued, cancelled), read by the API's Server-Sent Events with resume by
// stream id (`Last-Event-ID`). Capped and expiring: it is for live views, not the record.
import type { Redis } from 'ioredis';

const MAX_EVENTS = 1000;
const TTL_SECONDS = 7 * 24 * 3600;

export const simulationEventsKey = (simulationId: string) => `mfsim:events:simulation:${simulationId}`;
export const sweepEventsKey = (sweepId: string) => `mfsim:events:sweep:${sweepId}`;

export interface StreamEvent {
  /** The stream id, also the SSE event id. */
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** Appends an event; returns its id. */
export async function appendEvent(redis: Redis, key: string, type: string, data: Record<string, unknown>): Promise<string> {
  const r = await redis
    .multi()
    .xadd(key, 'MAXLEN', '~', String(MAX_EVENTS), '*', 'type', type, 'data', JSON.stringify(data))
    .expire(key, TTL_SECONDS)
    .exec();
  return String(r?.[0]?.[1] ?? '');
}

/** Events after `afterId` (exclusive; "0" for all), oldest first. */
export async function readEvents(redis: Redis, key: string, afterId = '0', count = 500): Promise<StreamEvent[]> {
  const entries = await redis.xrange(key, afterId === '0' ? '-' : `(${afterId}`, '+', 'COUNT', count);
  return entries.map(([id, fields]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
    return { id, type: f.type ?? 'message', data: JSON.parse(f.data ?? '{}') as Record<string, unknown> };
  });
}

/** True for a stream id as Redis writes them ("1700000000000-0"). */
export const isEventId = (s: string) => /^\d{1,16}-\d{1,10}$/.test(s);
