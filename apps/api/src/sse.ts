// Server-Sent Events from a Redis event stream (packages/queue events.ts), with resume from
// `Last-Event-ID`. Used for a simulation's events and, the same way, for a sweep's.
// Every stream of one subject shares ONE reader of its Redis stream (a Topic): it polls Redis and
// asks Postgres whether the subject is final once per interval for all of them, so 1000 open
// streams on one simulation cost what one does, plus the writes. Streams are capped per key and in
// total (MFSIM_SSE_STREAMS_PER_KEY, MFSIM_SSE_STREAMS_TOTAL): past a cap, 429 naming it.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import { FINAL_STATUSES } from '@mfsim/contracts';
import { currentAttemptStart, isEventId, readEvents, type StreamEvent } from '@mfsim/queue';
import { RequestError } from './errors.ts';
import { rawSecurityHeaders } from './headers.ts';

export interface EventStreamOptions {
  redis: Redis;
  /** The Redis stream to follow. */
  key: string;
  /** The current state, without an id, sent to a client that does not resume when the log holds no history yet. */
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

/** One open stream, as its topic sees it. */
interface Subscriber {
  /** Live events, oldest first (ids after everything the subscriber has already written). */
  events(events: StreamEvent[]): void;
  /** The subject is final, or the reader failed (with the reason). */
  end(error?: Error): void;
  /** Called once per poll: the subscriber writes a heartbeat when it has been quiet. */
  tick(now: number): void;
}

/** The one reader of one Redis stream, shared by every open stream of its subject. */
class Topic {
  readonly subscribers = new Set<Subscriber>();
  private after: string | undefined;
  private running = false;
  private lastFinishedCheck = 0;

  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    private readonly finished: () => Promise<boolean>,
    private readonly pollMs: number,
    private readonly finishedCheckMs: number,
    private readonly onIdle: () => void,
  ) {}

  async add(s: Subscriber) {
    this.subscribers.add(s);
    if (this.running) return;
    this.running = true;
    // Start at the newest event now: each subscriber reads what came before on its own (resume).
    const newest = await this.redis.xrevrange(this.key, '+', '-', 'COUNT', 1).catch(() => []);
    this.after = newest[0]?.[0] ?? '0';
    void this.loop();
  }

  remove(s: Subscriber) {
    this.subscribers.delete(s);
  }

  private async loop() {
    try {
      while (this.subscribers.size > 0) {
        const events = await readEvents(this.redis, this.key, this.after);
        if (events.length) {
          this.after = events[events.length - 1].id;
          for (const s of [...this.subscribers]) s.events(events);
        } else if (Date.now() - this.lastFinishedCheck >= this.finishedCheckMs) {
          this.lastFinishedCheck = Date.now();
          if (await this.finished()) {
            // The final event may have landed between the read and the check: read once more.
            const last = await readEvents(this.redis, this.key, this.after);
            for (const s of [...this.subscribers]) {
              if (last.length) s.events(last);
              s.end();
            }
            this.subscribers.clear();
            break;
          }
        }
        const now = Date.now();
        for (const s of this.subscribers) s.tick(now);
        if (this.subscribers.size > 0) await new Promise((r) => setTimeout(r, this.pollMs));
      }
    } catch (err) {
      for (const s of [...this.subscribers]) s.end(err as Error);
      this.subscribers.clear();
    } finally {
      this.running = false;
      this.onIdle();
    }
  }
}

/** The topics of one Redis client, and the count of open streams per key and in all. */
class EventHub {
  private readonly topics = new Map<string, Topic>();
  private readonly perKey = new Map<string, number>();
  total = 0;

  topic(o: EventStreamOptions): Topic {
    let t = this.topics.get(o.key);
    if (!t) {
      t = new Topic(o.redis, o.key, o.finished, o.pollMs ?? 250, 1_000, () => {
        if (this.topics.get(o.key) === t && t!.subscribers.size === 0) this.topics.delete(o.key);
      });
      this.topics.set(o.key, t);
    }
    return t;
  }

  /** Takes a place for one stream of `key` (a caller's id; null: open mode), or throws the 429 naming the cap. */
  reserve(callerId: string | null, caps: { perKey: number; total: number }): () => void {
    if (this.total >= caps.total) {
      throw new RequestError(429, `the service has ${this.total} event streams open, its limit (MFSIM_SSE_STREAMS_TOTAL); retry later`, [
        { path: '(stream)', message: `total event stream limit of ${caps.total} reached` },
      ]);
    }
    const mine = callerId === null ? 0 : (this.perKey.get(callerId) ?? 0);
    if (callerId !== null && mine >= caps.perKey) {
      throw new RequestError(429, `this key has ${mine} event streams open, its limit (MFSIM_SSE_STREAMS_PER_KEY); close one first`, [
        { path: '(header) authorization', message: `event stream limit of ${caps.perKey} per key reached` },
      ]);
    }
    this.total++;
    if (callerId !== null) this.perKey.set(callerId, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      if (callerId === null) return;
      const n = (this.perKey.get(callerId) ?? 1) - 1;
      if (n <= 0) this.perKey.delete(callerId);
      else this.perKey.set(callerId, n);
    };
  }
}

const hubs = new WeakMap<Redis, EventHub>();
export function eventHub(redis: Redis): EventHub {
  let hub = hubs.get(redis);
  if (!hub) hubs.set(redis, (hub = new EventHub()));
  return hub;
}

/**
 * Streams events until the subject is final (its final `status` event is sent, then the stream
 * ends) or the client goes away.
 */
export async function streamEvents(request: FastifyRequest, reply: FastifyReply, o: EventStreamOptions): Promise<void> {
  const resumeAfter = lastEventId(request);
  const hub = eventHub(o.redis);
  const security = request.server.security;
  const release = hub.reserve(request.caller && request.caller.id !== 'anonymous' ? request.caller.id : null, {
    perKey: security.sseStreamsPerKey, total: security.sseStreamsTotal,
  });
  let subscriber: Subscriber | undefined;
  const topic = hub.topic(o);
  try {
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
      ...rawSecurityHeaders(request, security.corsOrigins),
    });
    const heartbeatMs = o.heartbeatMs ?? 15_000;
    let lastWrite = Date.now();
    let done = false;
    let endedEarly = false;
    let live: StreamEvent[] | null = []; // live events held while the backlog is written
    let resolveDone!: () => void;
    const closed = new Promise<void>((r) => (resolveDone = r));
    const finish = () => {
      if (done) return;
      done = true;
      topic.remove(subscriber!);
      res.end();
      resolveDone();
    };
    const lastId = () => (typeof after === 'string' ? after : undefined);
    /** Writes events not yet written; true when one was the subject's final status. */
    const write = (events: StreamEvent[]) => {
      let ended = false;
      for (const e of events) {
        const seen = lastId();
        if (seen && seen !== '0' && !eventIdBefore(seen, e.id)) continue;
        res.write(frame(e.type, e.data, e.id));
        after = e.id;
        lastWrite = Date.now();
        // A previous attempt's final status (replayed to a resume from before a retry) ends nothing.
        if (e.type === 'status' && FINAL_STATUSES.includes(e.data.status as never) && !(attempt && eventIdBefore(e.id, attempt))) ended = true;
      }
      return ended;
    };
    subscriber = {
      events(events) {
        if (done) return;
        if (live) live.push(...events);
        else if (write(events)) finish();
      },
      end(error) {
        if (done) return;
        if (error) res.write(frame('error', { message: 'event stream interrupted; reconnect to resume' }));
        if (live) endedEarly = true; // the backlog writer finishes once it has written everything
        else finish();
      },
      tick(now) {
        if (!done && !live && now - lastWrite > heartbeatMs) {
          res.write(': keep-alive\n\n');
          lastWrite = now;
        }
      },
    };
    request.raw.on('close', finish);
    res.on('close', finish);
    res.write('retry: 2000\n\n');
    // Subscribe first, then read the backlog: an event that lands in between is in one or the other.
    await topic.add(subscriber);
    for (let first = true; ; first = false) {
      const backlog = await readEvents(o.redis, o.key, after);
      // History in order, then live. The current state goes out only when there is no history to
      // tell it (a log not yet written, or expired): sent before a history that starts at step 0,
      // it made progress jump back on every page that opened a running run.
      if (first && !resumed && o.initial && backlog.length === 0) res.write(frame(o.initial.type, o.initial.data));
      if (backlog.length === 0) break;
      if (write(backlog)) {
        finish();
        break;
      }
    }
    if (!done) {
      const held = live ?? [];
      live = null;
      // (A subject already final with nothing left to send: its topic ends the stream within a second.)
      if (write(held) || endedEarly) finish();
    }
    await closed;
  } catch (err) {
    if (subscriber) topic.remove(subscriber);
    if (!reply.sent && !reply.raw.headersSent) throw err;
    reply.raw.end();
  } finally {
    release();
  }
}
