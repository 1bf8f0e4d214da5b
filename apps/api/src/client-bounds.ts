// What one client can cost before its requests are served (issue 13): failed authentications are
// counted per client address and, past MFSIM_AUTH_FAILURES_PER_MINUTE, answered 429 before any key
// lookup; a key's requests being served at once are bounded (MFSIM_REQUESTS_IN_FLIGHT_PER_KEY), so
// one client's burst of heavy POSTs queues at its own door instead of taking the database pool
// and the API's memory from everyone else. Event streams have their own caps (sse.ts).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { RequestError } from './errors.ts';

const MAX_TRACKED = 50_000;

/** Failed authentications per address in fixed one-minute windows, in this process. */
class FailureCounter {
  private window = 0;
  private counts = new Map<string, number>();
  private roll(now: number) {
    const w = Math.floor(now / 60_000);
    if (w !== this.window) {
      this.window = w;
      this.counts.clear();
    }
  }
  count(address: string, now = Date.now()): number {
    this.roll(now);
    return this.counts.get(address) ?? 0;
  }
  add(address: string, now = Date.now()) {
    this.roll(now);
    if (this.counts.size >= MAX_TRACKED && !this.counts.has(address)) return;
    this.counts.set(address, (this.counts.get(address) ?? 0) + 1);
  }
  retryAfter(now = Date.now()) {
    return Math.max(1, Math.ceil(((this.window + 1) * 60_000 - now) / 1000));
  }
}

/** Registered before auth: refuses an address that has failed authentication too often this minute. */
async function authFailureThrottle(app: FastifyInstance) {
  const failures = new FailureCounter();
  app.addHook('onRequest', async (request, reply) => {
    const limit = app.security.authFailuresPerMinute;
    if (limit <= 0 || failures.count(request.ip) < limit) return;
    const retryAfter = failures.retryAfter();
    reply.header('Retry-After', String(retryAfter));
    throw new RequestError(429, `too many failed authentications from this address (limit ${limit} per minute, MFSIM_AUTH_FAILURES_PER_MINUTE); retry after ${retryAfter} s`, [
      { path: '(header) authorization', message: `failed-authentication limit of ${limit} per minute reached` },
    ]);
  });
  // A failure is a key offered and refused: a request that offered none (a browser's own
  // /favicon.ico, a page opened before sign-in) guesses nothing, and counting it locked a lab's
  // shared address out after 30 dashboard page loads in a minute.
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401 && request.offeredKey) failures.add(request.ip);
  });
}

const released = Symbol('released');
type Counted = FastifyRequest & { [released]?: boolean; inFlightKey?: string };

/** Registered after auth: at most `requestsInFlightPerKey` requests of one key are served at once. */
async function keyConcurrency(app: FastifyInstance) {
  const inFlight = new Map<string, number>();
  const release = (request: Counted) => {
    const key = request.inFlightKey;
    if (!key || request[released]) return;
    request[released] = true;
    const n = (inFlight.get(key) ?? 1) - 1;
    if (n <= 0) inFlight.delete(key);
    else inFlight.set(key, n);
  };
  app.addHook('onRequest', async (request: Counted, reply) => {
    const limit = app.security.requestsInFlightPerKey;
    // Keys only (open mode has none); event streams are long-lived and capped by sse.ts.
    if (!request.caller || limit <= 0 || request.routeOptions.config?.queryToken) return;
    const key = request.caller.id;
    const n = inFlight.get(key) ?? 0;
    if (n >= limit) {
      reply.header('Retry-After', '1');
      throw new RequestError(429, `this key already has ${n} requests in progress (limit ${limit}, MFSIM_REQUESTS_IN_FLIGHT_PER_KEY); retry when one has finished`, [
        { path: '(header) authorization', message: `in-flight request limit of ${limit} per key reached` },
      ]);
    }
    inFlight.set(key, n + 1);
    request.inFlightKey = key;
  });
  app.addHook('onResponse', async (request: Counted) => release(request));
  app.addHook('onRequestAbort', async (request: Counted) => release(request));
  app.decorate('requestsInFlight', (key: string) => inFlight.get(key) ?? 0);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Requests of a key being served now (client-bounds.ts). */
    requestsInFlight?: (key: string) => number;
  }
}

export const authFailures = fp(authFailureThrottle, { name: 'auth-failure-throttle' });
export const keyInFlight = fp(keyConcurrency, { name: 'key-in-flight' });
