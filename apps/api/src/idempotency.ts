// `Idempotency-Key` on POST: the same key and body get the first reply again; the same key with
// another body (or route) gets 409. Kept in Redis for 24 hours, per caller:
// - SET NX claims a key atomically, so two concurrent retries cannot both run the request;
// - keys expire by themselves (no sweeper), and the lookup is one round trip on the POST path;
// - Redis already has to be up for a POST to queue anything, so it adds no new dependency.
// A reply of 5xx or 429 is not kept: the client may retry with the same key.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { RequestError, UnavailableError } from './errors.ts';

const TTL_SECONDS = 24 * 3600;
const HEADER_PATH = '(header) idempotency-key';
const KEPT_HEADERS = ['content-type', 'location'];

interface Stored {
  state: 'pending' | 'done';
  fingerprint: string;
  statusCode?: number;
  headers?: Record<string, string>;
  payload?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: { key: string; fingerprint: string } | null;
  }
}

async function idempotencyPlugin(app: FastifyInstance) {
  app.decorateRequest('idempotency', null);
  const redis = () => app.deps.redis;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new UnavailableError(`idempotency store (Redis) not reachable: ${(err as Error).message}`);
    }
  };

  app.addHook('preHandler', async (request, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    if (typeof header !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(header)) {
      throw new RequestError(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters', [
        { path: HEADER_PATH, message: '1 to 255 visible ASCII characters' },
      ]);
    }
    const scope = request.caller?.id ?? 'anonymous';
    const key = `mfsim:idem:${scope}:${createHash('sha256').update(header).digest('hex')}`;
    const fingerprint = createHash('sha256')
      .update(`${request.method} ${request.url.split('?')[0]}\n${JSON.stringify(request.body ?? null)}`)
      .digest('hex');
    const claimed = await guard(() => redis().set(key, JSON.stringify({ state: 'pending', fingerprint } satisfies Stored), 'EX', TTL_SECONDS, 'NX'));
    if (claimed === 'OK') {
      request.idempotency = { key, fingerprint };
      return;
    }
    const raw = await guard(() => redis().get(key));
    const stored: Stored | null = raw ? (JSON.parse(raw) as Stored) : null;
    if (!stored) throw new RequestError(409, 'a request with this Idempotency-Key just ended; retry', [{ path: HEADER_PATH, message: 'retry' }]);
    if (stored.fingerprint !== fingerprint) {
      throw new RequestError(409, 'this Idempotency-Key was used with another request body or route', [
        { path: HEADER_PATH, message: 'already used with another body' },
      ]);
    }
    if (stored.state === 'pending') {
      reply.header('Retry-After', '1');
      throw new RequestError(409, 'a request with this Idempotency-Key is still running; retry shortly', [
        { path: HEADER_PATH, message: 'request still in progress' },
      ]);
    }
    reply.status(stored.statusCode ?? 200).headers({ ...stored.headers, 'idempotent-replayed': 'true' });
    return reply.send(stored.payload);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    if (!request.idempotency) return payload;
    const { key, fingerprint } = request.idempotency;
    request.idempotency = null;
    const statusCode = reply.statusCode;
    try {
      if (statusCode >= 500 || statusCode === 429 || typeof payload !== 'string') {
        await redis().del(key);
      } else {
        const headers: Record<string, string> = {};
        for (const h of KEPT_HEADERS) {
          const v = reply.getHeader(h);
          if (v !== undefined) headers[h] = String(v);
        }
        const stored: Stored = { state: 'done', fingerprint, statusCode, headers, payload };
        await redis().set(key, JSON.stringify(stored), 'EX', TTL_SECONDS);
      }
    } catch (err) {
      request.log.warn({ err }, 'could not record the idempotent reply');
    }
    return payload;
  });
}

export default fp(idempotencyPlugin, { name: 'idempotency', dependencies: ['errors'] });
