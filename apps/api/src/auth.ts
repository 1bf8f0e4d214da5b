// API keys: `Authorization: Bearer <key>`, roles read < submit < admin, a per-key rate limit in Redis
// (counted in the process while Redis is down: rate-window.ts).
// On when an admin key is configured (API_ADMIN_KEY or buildApp's `auth`); off otherwise, with a
// loud warning, so a fresh checkout works without configuration.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { findApiKeyByHash, projectExists, touchApiKey } from '@mfsim/db';
import { DEFAULT_PROJECT, PROJECT_HEADER, projectNameSchema, type ApiKeyRoleName } from '@mfsim/contracts';
import { NotFoundError, RequestError } from './errors.ts';
import { RateWindows } from './rate-window.ts';

export interface AuthOptions {
  /** The bootstrap admin key (API_ADMIN_KEY). */
  adminKey: string;
  /** Requests per minute for a key without its own limit; default 1200. */
  rateLimitPerMinute?: number;
}

/** What a route needs: `public` routes take no key at all. */
export type RequiredRole = ApiKeyRoleName | 'public';

export interface Caller {
  /** The key's id ("bootstrap-admin" for API_ADMIN_KEY); "anonymous" when auth is off. */
  id: string;
  role: ApiKeyRoleName;
  /**
   * The project this request acts in: the key's own, or for an admin key the one named by the
   * `Mfsim-Project` header (`?project=` on the SSE routes). Every read and write is scoped to it.
   */
  project: string;
  /** The project the key belongs to. */
  keyProject: string;
}

/** When keys are off: one caller, admin, in the default project. */
const OPEN_CALLER: Caller = { id: 'anonymous', role: 'admin', project: DEFAULT_PROJECT, keyProject: DEFAULT_PROJECT };

declare module 'fastify' {
  interface FastifyRequest {
    /** Set on every route that takes a key (and on all of them when keys are off); null on public routes. */
    caller: Caller | null;
    /**
     * Whether the request offered a key where this route takes one (the Authorization header, or
     * `access_token` on an event stream): a refused one counts as a failed authentication
     * (client-bounds.ts), a request that offered none does not.
     */
    offeredKey?: boolean;
  }
  interface FastifyContextConfig {
    role?: RequiredRole;
    /** Also take the key as `?access_token=` (the SSE routes: EventSource cannot send headers). */
    queryToken?: boolean;
  }
}

const RANK: Record<ApiKeyRoleName, number> = { read: 0, submit: 1, admin: 2 };
const PUBLIC_PREFIXES = ['/healthz', '/readyz', '/openapi.json', '/docs', '/metrics', '/dashboard'];
const CACHE_MS = 5_000;
/** How long a key that was not found is answered 401 without asking Postgres again. */
const MISS_CACHE_MS = 2_000;
const TOUCH_MS = 60_000;

export const hashApiKey = (key: string) => createHash('sha256').update(key).digest('hex');

/** A new key: `mfsim_` and 43 random base64url characters; its prefix is what lists show. */
export function newApiKey(): { key: string; prefix: string; hash: string } {
  const key = `mfsim_${randomBytes(32).toString('base64url')}`;
  return { key, prefix: key.slice(0, 12), hash: hashApiKey(key) };
}

function requiredRole(request: FastifyRequest): RequiredRole {
  const configured = request.routeOptions.config?.role;
  if (configured) return configured;
  const path = request.url.split('?')[0];
  if (PUBLIC_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`))) return 'public';
  return request.method === 'GET' || request.method === 'HEAD' ? 'read' : 'submit';
}

const authIssue = (message: string) => [{ path: '(header) authorization', message }];

/** A query parameter's name as the query parser reads it (percent-decoded, `+` a space). */
function decodedName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * A URL with the value of `access_token` replaced, for logs: a key must never be written down.
 * Names are compared decoded, as the parser that reads the key does, so `access%5Ftoken=` and
 * `%61ccess_token=` are redacted too.
 */
export function redactAccessToken(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const pairs = url.slice(q + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    return decodedName(name).toLowerCase() === 'access_token' ? `${name}=[redacted]` : pair;
  });
  return `${url.slice(0, q)}?${pairs.join('&')}`;
}

/** The project a request acts in (see Caller.project); the default one on public routes. */
export const projectOf = (request: FastifyRequest): string => request.caller?.project ?? DEFAULT_PROJECT;

/** The project named by the request (header, or `?project=` where the key may come in the query); undefined when none. */
function namedProject(request: FastifyRequest): string | undefined {
  const header = request.headers[PROJECT_HEADER];
  const fromQuery = request.routeOptions.config?.queryToken ? (request.query as Record<string, unknown> | undefined)?.project : undefined;
  const named = header ?? fromQuery;
  if (named === undefined) return undefined;
  const parsed = projectNameSchema.safeParse(named);
  const path = header !== undefined ? `(header) ${PROJECT_HEADER}` : 'project';
  if (!parsed.success) throw new RequestError(400, `${path} must be one project name`, [{ path, message: parsed.error.issues[0]?.message ?? 'not a project name' }]);
  return parsed.data;
}

async function authPlugin(app: FastifyInstance, options: { auth?: AuthOptions }) {
  app.decorateRequest('caller', null);
  const auth = options.auth;
  if (!auth) {
    const banner = '*** WARNING: API keys are OFF (API_ADMIN_KEY is not set): every request is accepted. ***';
    app.log.warn(banner);
    if (!process.env.VITEST) console.warn(banner);
    // One project when keys are off: naming another is refused rather than ignored.
    app.addHook('onRequest', async (request) => {
      if (requiredRole(request) === 'public') return;
      const named = namedProject(request);
      if (named !== undefined && named !== DEFAULT_PROJECT) {
        throw new RequestError(400, `keys are off: every request is in project "${DEFAULT_PROJECT}"`, [{ path: `(header) ${PROJECT_HEADER}`, message: `only "${DEFAULT_PROJECT}" when keys are off` }]);
      }
      request.caller = OPEN_CALLER;
    });
    return;
  }
  const adminHash = Buffer.from(hashApiKey(auth.adminKey));
  const defaultLimit = auth.rateLimitPerMinute ?? 1200;
  // Hash -> key, for a few seconds: a revoke in this process clears it at once (see forgetKey).
  const cache = new Map<string, { caller: Caller; limit: number; until: number }>();
  const misses = new Map<string, number>();
  const touched = new Map<string, number>();
  // Projects an admin has switched to, known to exist (a project is never deleted).
  const knownProjects = new Set<string>([DEFAULT_PROJECT]);
  app.decorate('forgetApiKeys', () => cache.clear());
  // Per key and minute, in Redis; while Redis does not answer, in this process (rate-window.ts).
  let warnedAt = 0;
  const rateWindows = new RateWindows(app.deps.redis, (err) => {
    if (Date.now() - warnedAt < 10_000) return;
    warnedAt = Date.now();
    app.log.warn({ error: err.message }, 'rate limits counted in this process: Redis does not answer');
  });

  /** The project the request acts in: an admin may name any existing project; others only their own. */
  async function activeProject(request: FastifyRequest, caller: Omit<Caller, 'project'>): Promise<string> {
    const named = namedProject(request);
    if (named === undefined || named === caller.keyProject) return caller.keyProject;
    const path = request.headers[PROJECT_HEADER] !== undefined ? `(header) ${PROJECT_HEADER}` : 'project';
    if (caller.role !== 'admin') {
      throw new RequestError(403, `this key belongs to project "${caller.keyProject}"; only an admin key may act in another`, [{ path, message: 'not this key\'s project' }]);
    }
    if (!knownProjects.has(named)) {
      if (!(await projectExists(app.deps.db, named))) throw new NotFoundError(`project ${named}`);
      knownProjects.add(named);
    }
    return named;
  }

  async function lookup(key: string): Promise<{ caller: Caller; limit: number } | null> {
    const hash = hashApiKey(key);
    if (timingSafeEqual(Buffer.from(hash), adminHash)) {
      return { caller: { id: 'bootstrap-admin', role: 'admin', project: DEFAULT_PROJECT, keyProject: DEFAULT_PROJECT }, limit: defaultLimit };
    }
    const hit = cache.get(hash);
    if (hit && hit.until > Date.now()) return hit;
    // A key that was not found is not looked up again for a moment: repeated wrong keys cost no query.
    if ((misses.get(hash) ?? 0) > Date.now()) return null;
    const row = await findApiKeyByHash(app.deps.db, hash);
    if (!row || row.revokedAt) {
      cache.delete(hash);
      if (misses.size > 10_000) misses.clear();
      misses.set(hash, Date.now() + MISS_CACHE_MS);
      return null;
    }
    const entry = { caller: { id: row.id, role: row.role, project: row.project, keyProject: row.project }, limit: row.rateLimitPerMinute ?? defaultLimit, until: Date.now() + CACHE_MS };
    if (cache.size > 10_000) cache.clear();
    cache.set(hash, entry);
    return entry;
  }

  app.addHook('onRequest', async (request, reply) => {
    const needed = requiredRole(request);
    if (needed === 'public') return;
    const header = request.headers.authorization;
    request.offeredKey = header !== undefined;
    let match = typeof header === 'string' ? /^Bearer\s+(\S{1,512})$/i.exec(header) : null;
    if (!match && header === undefined && request.routeOptions.config?.queryToken) {
      const token = (request.query as Record<string, unknown> | undefined)?.access_token;
      if (token !== undefined) {
        request.offeredKey = true;
        match = typeof token === 'string' ? /^(\S{1,512})$/.exec(token) : null;
        if (!match) throw new RequestError(401, 'access_token must be one API key', [{ path: 'access_token', message: 'not one key' }]);
      }
    }
    if (!match) {
      reply.header('WWW-Authenticate', 'Bearer');
      throw new RequestError(401, 'an API key is required: Authorization: Bearer <key>', authIssue('missing or not "Bearer <key>"'));
    }
    const found = await lookup(match[1]);
    if (!found) {
      reply.header('WWW-Authenticate', 'Bearer error="invalid_token"');
      throw new RequestError(401, 'unknown or revoked API key', authIssue('unknown or revoked key'));
    }
    if (RANK[found.caller.role] < RANK[needed]) {
      throw new RequestError(403, `this key's role "${found.caller.role}" may not do this; it needs "${needed}"`, authIssue(`role "${found.caller.role}" is not enough; needs "${needed}"`));
    }
    request.caller = { ...found.caller, project: await activeProject(request, found.caller) };
    // Fixed one-minute windows per key; one round trip.
    const now = Date.now();
    const window = Math.floor(now / 60_000);
    const { count } = await rateWindows.count(found.caller.id, window);
    const retryAfter = Math.max(1, Math.ceil(((window + 1) * 60_000 - now) / 1000));
    reply.header('RateLimit-Limit', String(found.limit));
    reply.header('RateLimit-Remaining', String(Math.max(0, found.limit - count)));
    if (count > found.limit) {
      reply.header('Retry-After', String(retryAfter));
      throw new RequestError(429, `rate limit of ${found.limit} requests per minute reached; retry after ${retryAfter} s`, authIssue('rate limit reached'));
    }
    if (found.caller.id !== 'bootstrap-admin' && (touched.get(found.caller.id) ?? 0) < now - TOUCH_MS) {
      touched.set(found.caller.id, now);
      touchApiKey(app.deps.db, found.caller.id).catch(() => {});
    }
  });
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Drops cached keys (after a revoke). Absent when auth is off. */
    forgetApiKeys?: () => void;
  }
}

export default fp(authPlugin, { name: 'auth', dependencies: ['errors'] });
