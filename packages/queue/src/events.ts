// A short log of each simulation's events in a Redis stream, written by the worker (progress,
// status) and the API (queued, cancelled), read by the API's Server-Sent Events with resume by
// stream id (`Last-Event-ID`). Capped and expiring: it is for live views, not the record.
import type { ChainableCommander, Redis } from 'ioredis';

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

const attemptKey = (key: string) => `${key}:attempt`;

/**
 * Appends an event; returns its id. With `startsAttempt` (a retry), the event is marked as the start
 * of the subject's current attempt: a reader that does not resume starts there, not at the previous
 * attempt's events (whose final status would end its stream at once).
 */
export async function appendEvent(
  redis: Redis,
  key: string,
  type: string,
  data: Record<string, unknown>,
  o: { startsAttempt?: boolean } = {},
): Promise<string> {
  const p = redis.pipeline();
  addEvent(p, key, type, data);
  const r = await p.exec();
  const id = String(r?.[0]?.[1] ?? '');
  if (o.startsAttempt && id) await redis.set(attemptKey(key), id, 'EX', TTL_SECONDS);
  return id;
}

/**
 * appendEvent's two commands (XADD, then EXPIRE: its reply is the event id's), added to a pipeline
 * the caller sends, with other commands in the same round trip (live-batch.ts). A pipeline, not
 * MULTI/EXEC: the two need no atomicity (the key expires a week after its last event either way),
 * and MULTI and EXEC would be two commands more per event.
 */
export function addEvent(p: ChainableCommander, key: string, type: string, data: Record<string, unknown>): void {
  p.xadd(key, 'MAXLEN', '~', String(MAX_EVENTS), '*', 'type', type, 'data', JSON.stringify(data)).expire(key, TTL_SECONDS);
}

/** The id of the first event of the current attempt (see `appendEvent`), if there was a retry. */
export async function currentAttemptStart(redis: Redis, key: string): Promise<string | undefined> {
  return (await redis.get(attemptKey(key))) ?? undefined;
}

/**
 * Events after `afterId` (exclusive; "0" for all), oldest first; with `{ from }` instead, from that
 * id inclusive.
 */
export async function readEvents(redis: Redis, key: string, afterId: string | { from: string } = '0', count = 500): Promise<StreamEvent[]> {
  const start = typeof afterId === 'object' ? afterId.from : afterId === '0' ? '-' : `(${afterId}`;
  const entries = await redis.xrange(key, start, '+', 'COUNT', count);
  return entries.map(([id, fields]) => {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]] = fields[i + 1];
    return { id, type: f.type ?? 'message', data: JSON.parse(f.data ?? '{}') as Record<string, unknown> };
  });
}

/** True for a stream id as Redis writes them ("1700000000000-0"). */
export const isEventId = (s: string) => /^\d{1,16}-\d{1,10}$/.test(s);
