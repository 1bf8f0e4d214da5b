// Server-Sent Events from a Redis event stream (packages/queue events.ts), with resume from
// `Last-Event-ID`. Used for a simulation's events and, the same way, for a sweep's.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { FINAL_STATUSES } from '@mfsim/contracts';
import { currentAttemptStart, isEventId, readEvents } from '@mfsim/queue';
import { RequestError } from './errors.ts';

export interface EventStreamOptions {
  redis: Redis;
  /** The Redis stream to follow. */
  key: string;
  /** Sent first, without an id, when the client does not resume: the current state. */
  initial?: { type: string; data: Record<string, unknown> };
  /** Whether the subject has reached a final status (asked when the stream is quiet). */
  finished(): Promise<boolean>;
  pollMs?: number;
  heartbeatMs?: number;
}

/** The id to resume after: the `Last-Event-ID` header, or `lastEventId` in the query (EventSource polyfills). */
export function lastEventId(request: FastifyRequest): string | undefined {
  const q = (request.query ?? {}) as Record<string, unknown>;
  const raw = request.headers['last-event-id'] ?? q.lastEventId;
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !isEventId(raw)) {
    throw new RequestError(400, 'Last-Event-ID is not an id this API sent', [{ path: '(header) last-event-id', message: 'not an event id' }]);
  }
  return raw;
}

/** Whether stream id `a` ("ms-seq") comes before `b`. */
function eventIdBefore(a: string, b: string): boolean {
  const [am, as] = a.split('-').map(BigInt);
  const [bm, bs] = b.split('-').map(BigInt);
  return am < bm || (am === bm && as < bs);
}

const frame = (type: string, data: unknown, id?: string) => `${id ? `id: ${id}\n` : ''}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Streams events until the subject is final (its final `status` event is sent, then the stream
 * ends) or the client goes away. Polls the Redis stream (one shared connection for every client,
 * instead of a blocking read on a connection each).
 */
export async function streamEvents(request: FastifyRequest, reply: FastifyReply, o: EventStreamOptions): Promise<void> {
  const resumeAfter = lastEventId(request);
  const resumed = resumeAfter !== undefined;
  // Without a resume id: the whole log of the current attempt (a retried run's starts at its retry).
  const attempt = await currentAttemptStart(o.redis, o.key);
  let after: string | { from: string } = resumeAfter ?? (attempt ? { from: attempt } : '0');
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let open = true;
  request.raw.on('close', () => (open = false));
  res.write('retry: 2000\n\n');
  if (!resumed && o.initial) res.write(frame(o.initial.type, o.initial.data));
  const pollMs = o.pollMs ?? 250;
  const heartbeatMs = o.heartbeatMs ?? 15_000;
  let lastWrite = Date.now();
  try {
    while (open) {
      const events = await readEvents(o.redis, o.key, after);
      let ended = false;
      for (const e of events) {
        res.write(frame(e.type, e.data, e.id));
        after = e.id;
        // A previous attempt's final status (replayed to a resume from before a retry) ends nothing.
        if (e.type === 'status' && FINAL_STATUSES.includes(e.data.status as never) && !(attempt && eventIdBefore(e.id, attempt))) ended = true;
      }
      if (events.length) lastWrite = Date.now();
      if (ended || (events.length === 0 && (await o.finished()))) break;
      if (Date.now() - lastWrite > heartbeatMs) {
        res.write(': keep-alive\n\n');
        lastWrite = Date.now();
      }
      await new Promise((r) => setTimeout(r, pollMs));
    }
  } catch (err) {
    if (open) res.write(frame('error', { message: `event stream interrupted: ${(err as Error).message}` }));
  } finally {
    res.end();
  }
}
