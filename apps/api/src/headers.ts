// Security headers on every reply, CORS for the origins an operator lists (none by default: a
// browser on another origin can then neither read replies nor send a preflighted request), and a
// key in front of /metrics and /docs.
// The content security policy is one the dashboard satisfies (its scripts and styles are files
// under /dashboard/assets; chart.js styles elements through the CSSOM, which CSP does not govern).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'",
].join('; ');
// Swagger UI at /docs sets styles inline.
const DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'");

const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS';
const ALLOWED_HEADERS = 'Authorization, Content-Type, Idempotency-Key, Last-Event-ID, Mfsim-Project';
const EXPOSED_HEADERS = 'Location, Retry-After, RateLimit-Limit, RateLimit-Remaining, X-Request-Id';

function allowedOrigin(request: FastifyRequest, origins: string[]): string | undefined {
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origins.length === 0) return undefined;
  return origins.includes('*') || origins.includes(origin) ? origin : undefined;
}

function setCors(reply: FastifyReply, origin: string) {
  reply.header('Access-Control-Allow-Origin', origin);
  reply.header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
}

/** Whether a route is one of the operator surfaces a key guards when so configured (/metrics, /docs). */
function guardedSurface(url: string, o: { protectMetrics: boolean; protectDocs: boolean }): boolean {
  return (o.protectMetrics && url === '/metrics') || (o.protectDocs && (url === '/docs' || url.startsWith('/docs/')));
}

async function headersPlugin(app: FastifyInstance) {
  const origins = app.security.corsOrigins;
  // Registered before every route: /metrics and /docs need a `read` key when keys are on (auth.ts
  // reads `config.role`), unless MFSIM_PROTECT_METRICS / MFSIM_PROTECT_DOCS say otherwise.
  app.addHook('onRoute', (route) => {
    if (guardedSurface(route.url, app.security)) route.config = { ...(route.config as object), role: 'read' } as typeof route.config;
  });
  // Preflights are answered here, before auth (a browser sends them without the key); only for
  // listed origins: any other gets no CORS header at all, so the browser refuses the real request.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('Vary', 'Origin');
    const origin = allowedOrigin(request, origins);
    if (!origin) return;
    setCors(reply, origin);
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      reply.header('Access-Control-Allow-Methods', ALLOWED_METHODS);
      reply.header('Access-Control-Allow-Headers', ALLOWED_HEADERS);
      reply.header('Access-Control-Max-Age', '600');
      return reply.status(204).send();
    }
  });
  app.addHook('onSend', async (request, reply, payload) => {
    reply.header('X-Content-Type-Options', 'nosniff');
    reply.header('X-Frame-Options', 'DENY');
    reply.header('Referrer-Policy', 'no-referrer');
    reply.header('Cross-Origin-Opener-Policy', 'same-origin');
    const path = request.url.split('?')[0];
    reply.header('Content-Security-Policy', path === '/docs' || path.startsWith('/docs/') ? DOCS_POLICY : CONTENT_SECURITY_POLICY);
    return payload;
  });
}

/** The headers of a hijacked reply (the event streams), which onSend never sees. */
export function rawSecurityHeaders(request: FastifyRequest, origins: string[]): Record<string, string> {
  const origin = allowedOrigin(request, origins);
  return {
    'x-content-type-options': 'nosniff',
    vary: 'Origin',
    ...(origin && { 'access-control-allow-origin': origin, 'access-control-expose-headers': EXPOSED_HEADERS }),
  };
}

export default fp(headersPlugin, { name: 'headers' });
