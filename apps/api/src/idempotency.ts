// `Idempotency-Key` on POST: the same key and body get the first reply again; the same key with
// another body (or route) gets 409. Kept in Postgres (packages/db idempotency.ts) for 24 hours, per
// calling key and project:
// - one INSERT ... ON CONFLICT claims a key atomically, so two concurrent retries cannot both run;
// - the record lives where the rows it protects live: a Redis that lost its data (or restarted
//   without persistence) cannot make a retried POST create a second run;
// - a pending record holds a short lease that its live request renews; an API killed mid-request
//   stops renewing, and the next request with the key takes it over after the lease
//   (MFSIM_IDEMPOTENCY_LEASE_SECONDS, default 30), not after 24 h.
// A reply of 5xx or 429 is not kept: the client may retry with the same key. A route that puts a
// secret in its reply (POST /v1/keys: the new key) names the field in its config's
// `idempotencySecret` (or sets request.idempotencySecret); the record keeps the reply with that
// field null and `<field>Withheld` saying why.
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import {
  claimIdempotencyKey, deleteExpiredIdempotencyRecords, finishIdempotencyKey, IdempotencyKeyLostError, releaseIdempotencyKey, renewIdempotencyLease,
  type IdempotentWrite,
} from '@mfsim/db';
import { RequestError, UnavailableError } from './errors.ts';

const TTL_SECONDS = 24 * 3600;
const HEADER_PATH = '(header) idempotency-key';
const KEPT_HEADERS = ['content-type', 'location'];
const SWEEP_MS = 10 * 60_000;
/** A request still running after this long stops renewing its lease (so none is held forever). */
const MAX_HOLD_MS = 10 * 60_000;

export interface IdempotencyOptions {
  /** How long a pending record holds without renewal; default MFSIM_IDEMPOTENCY_LEASE_SECONDS or 30. */
  leaseSeconds?: number;
}

interface Held {
  scope: string;
  keyHash: string;
  claim: string;
  renew: NodeJS.Timeout;
}

declare module 'fastify' {
  interface FastifyRequest {
    idempotency: Held | null;
    /** A field of this route's reply that must never be stored (it is replayed as null). */
    idempotencySecret: string | null;
  }
  interface FastifyContextConfig {
    /** A field of this route's reply that must never be stored (it is replayed as null). */
    idempotencySecret?: string;
  }
}

/** Whose records these are: the calling key in the project it acts in. */
export const idempotencyScope = (caller: { id: string; project: string } | null) => `${caller?.id ?? 'anonymous'}:${caller?.project ?? ''}`;

/** What must match for a replay: method, path and body. */
export const idempotencyFingerprint = (method: string, path: string, body: unknown) =>
  createHash('sha256').update(`${method} ${path}\n${JSON.stringify(body ?? null)}`).digest('hex');

function leaseFromEnv(env = process.env): number {
  const v = Number(env.MFSIM_IDEMPOTENCY_LEASE_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : 30;
}

/** The reply as stored: without the route's secret field. */
function storable(request: FastifyRequest, payload: string): string {
  const field = request.idempotencySecret ?? request.routeOptions.config?.idempotencySecret;
  if (!field) return payload;
  const body = JSON.parse(payload) as Record<string, unknown>;
  if (!(field in body)) return payload;
  return JSON.stringify({
    ...body,
    [field]: null,
    [`${field}Withheld`]: `the ${field} is shown only in the first reply and is stored nowhere; if it was lost, revoke this one and create another`,
  });
}

/**
 * For a route that writes rows under an Idempotency-Key: the held key and the reply a replay gives,
 * for packages/db to record in the rows' own transaction (an API dying after the commit cannot
 * leave the key to a retry that would write a second run). Undefined without a key. The reply is
 * serialized as route.ts serializes replies (JSON.stringify); the reply sent overwrites it.
 */
export function idempotentWrite<Row>(
  request: FastifyRequest, statusCode: number, build: (row: Row) => { headers: Record<string, string>; body: unknown },
): IdempotentWrite<Row> | undefined {
  const held = request.idempotency;
  if (!held) return undefined;
  return {
    scope: held.scope,
    keyHash: held.keyHash,
    claim: held.claim,
    reply: (row) => {
      const { headers, body } = build(row);
      return { statusCode, headers: { 'content-type': 'application/json; charset=utf-8', ...headers }, payload: storable(request, JSON.stringify(body)) };
    },
  };
}

/** A write refused because another request took the key over: 409 naming the header. */
export function keyTakenOver(err: unknown): never {
  if (err instanceof IdempotencyKeyLostError) {
    throw new RequestError(409, err.message, [{ path: HEADER_PATH, message: 'taken over by a retry of this request' }]);
  }
  throw err;
}

async function idempotencyPlugin(app: FastifyInstance, options: IdempotencyOptions) {
  app.decorateRequest('idempotency', null);
  app.decorateRequest('idempotencySecret', null);
  const leaseSeconds = options.leaseSeconds ?? leaseFromEnv();
  const db = () => app.deps.db;
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw new UnavailableError(`idempotency store (Postgres) not reachable: ${(err as Error).message}`);
    }
  };
  const release = (request: FastifyRequest) => {
    const held = request.idempotency;
    request.idempotency = null;
    if (held) clearInterval(held.renew);
    return held;
  };

  // Records past their 24 h, deleted now and then (a claim takes over an expired record anyway).
  const sweeper = setInterval(() => {
    deleteExpiredIdempotencyRecords(db()).catch((err) => app.log.warn({ err }, 'could not delete expired idempotency records'));
  }, SWEEP_MS);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));

  app.addHook('preHandler', async (request, reply: FastifyReply) => {
    if (request.method !== 'POST') return;
    const header = request.headers['idempotency-key'];
    if (header === undefined) return;
    if (typeof header !== 'string' || !/^[\x21-\x7e]{1,255}$/.test(header)) {
      throw new RequestError(400, 'Idempotency-Key must be 1 to 255 visible ASCII characters', [
        { path: HEADER_PATH, message: '1 to 255 visible ASCII characters' },
      ]);
    }
    const scope = idempotencyScope(request.caller);
    const keyHash = createHash('sha256').update(header).digest('hex');
    const fingerprint = idempotencyFingerprint(request.method, request.url.split('?')[0], request.body);
    const found = await guard(() => claimIdempotencyKey(db(), { scope, keyHash, fingerprint, leaseSeconds, ttlSeconds: TTL_SECONDS }));
    if (found.claimed) {
      const held = { scope, keyHash, claim: found.claim };
      const since = Date.now();
      const renew = setInterval(() => {
        if (Date.now() - since > MAX_HOLD_MS) return clearInterval(renew);
        renewIdempotencyLease(db(), { ...held, leaseSeconds }).catch((err) => request.log.warn({ err }, 'could not renew the idempotency lease'));
      }, (leaseSeconds * 1000) / 3);
      renew.unref();
      request.idempotency = { ...held, renew };
      return;
    }
    if (found.fingerprint !== fingerprint) {
      throw new RequestError(409, 'this Idempotency-Key was used with another request body or route', [
        { path: HEADER_PATH, message: 'already used with another body' },
      ]);
    }
    if (!found.reply) {
      reply.header('Retry-After', '1');
      throw new RequestError(409, 'a request with this Idempotency-Key is still running; retry shortly', [
        { path: HEADER_PATH, message: 'request still in progress' },
      ]);
    }
    reply.status(found.reply.statusCode).headers({ ...found.reply.headers, 'idempotent-replayed': 'true' });
    return reply.send(found.reply.payload);
  });

  app.addHook('onSend', async (request, reply, payload) => {
    const held = release(request);
    if (!held) return payload;
    const statusCode = reply.statusCode;
    try {
      if (statusCode >= 500 || statusCode === 429 || typeof payload !== 'string') {
        await releaseIdempotencyKey(db(), held);
      } else {
        const headers: Record<string, string> = {};
        for (const h of KEPT_HEADERS) {
          const v = reply.getHeader(h);
          if (v !== undefined) headers[h] = String(v);
        }
        await finishIdempotencyKey(db(), held, { statusCode, headers, payload: storable(request, payload) });
      }
    } catch (err) {
      request.log.warn({ err }, 'could not record the idempotent reply');
    }
    return payload;
  });

  // A request that ends without its reply recorded stops renewing: its lease runs out.
  app.addHook('onResponse', async (request) => {
    release(request);
  });
}

export default fp(idempotencyPlugin, { name: 'idempotency', dependencies: ['errors'] });
