// The route table's shape: each HTTP route of the API is defined once, here in packages/contracts,
// and that one definition gives the API its validation and handler types (apps/api registers it
// through fastify-type-provider-zod), the OpenAPI document (jsonSchemaTransform) and the SDK's calls.
//
// How to add a route (the same for every route; see simulations.ts for examples):
// 1. Define it in the table file of its area (routes/*.ts) with `defineRoute({...})`: method, path in
//    OpenAPI form (`/v1/things/{id}`), operationId (camelCase verb first: `getThing`; it becomes the
//    method name of generated clients), summary, tags, auth (`public`, `read`, `submit`, `admin`),
//    params/query/body as zod schemas from contracts, and `replies` per status with an example on
//    the success reply. Errors come by themselves (`errorReplies`): 400 when the route takes input,
//    401/403/429 when it needs a key, 503 when it reads Postgres or Redis; list other ones (404, 409).
// 2. Add it to the area's table object (exported `xRoutes`), which routes/index.ts collects.
// 3. In apps/api, register it with `route(app, xRoutes.thing, async (request, reply) => ...)`
//    (apps/api/src/route.ts): request.params/query/body are already parsed and typed.
// A schema that should appear as a named component of the document is registered in schemas.ts.
import { z } from 'zod';
import type { ApiKeyRoleName } from '../service.ts';
import { errorSchema } from '../api.ts';

export type HttpMethod = 'GET' | 'POST' | 'DELETE' | 'PUT' | 'PATCH';
/** What a route needs: `public` routes take no key at all. */
export type RouteAuth = ApiKeyRoleName | 'public';

/** One reply of a route: JSON with a schema, other media types by `content`, or no body. */
export interface ReplyDefinition {
  description: string;
  /** The JSON body; absent for a reply without one (or one described by `content`). */
  schema?: z.ZodType;
  /** An example of the JSON body (the OpenAPI document shows it; a test parses it with `schema`). */
  example?: unknown;
  /** Other media types than JSON (CSV, bytes, an event stream, text), each with a schema and example. */
  content?: Record<string, { schema: z.ZodType; example?: unknown }>;
}

export interface RouteDefinition {
  method: HttpMethod;
  /** OpenAPI form: `/v1/simulations/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  auth: RouteAuth;
  /** Also take the key as `?access_token=` (the SSE routes: EventSource cannot send headers). */
  queryToken?: boolean;
  /** Whether the route reads Postgres or Redis (503 when they do not answer); default true. */
  usesStores?: boolean;
  params?: z.ZodObject;
  query?: z.ZodType;
  headers?: z.ZodObject;
  /** The body; `name` is the word error messages use for it ("invalid spec: ..."). */
  body?: { schema: z.ZodType; name: string; example?: unknown; required?: boolean };
  replies: Record<number, ReplyDefinition>;
}

/** A uuid path parameter. It is a plain string to the validator: an id that is not a uuid is a 404, not a 400. */
export const idParam = z.string().meta({ format: 'uuid', description: 'The id (a uuid)' });
export const idParams = z.object({ id: idParam });

export const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request: `issues` names each offending field',
  401: 'No valid API key (when keys are on): `Authorization: Bearer <key>`',
  403: 'The key\'s role is not enough for this route',
  404: 'Unknown id',
  409: 'Not possible in the current status',
  413: 'Body over the size limit',
  429: 'Over the key\'s rate limit; `Retry-After` says when to try again',
  503: 'Postgres or Redis not reachable; `Retry-After` says when to try again',
};

export const errorReply = (status: number, description = ERROR_DESCRIPTIONS[status] ?? 'Error'): ReplyDefinition => ({
  description,
  schema: errorSchema, // one shape for every status: { statusCode, error, message, issues? }
});

/** The error replies a route can give by its definition: input (400), key (401/403/429), stores (503). */
export function errorReplies(def: Omit<RouteDefinition, 'replies'>): Record<number, ReplyDefinition> {
  const out: Record<number, ReplyDefinition> = {};
  if (def.query || def.body || def.headers) out[400] = errorReply(400);
  if (def.auth !== 'public') {
    out[401] = errorReply(401);
    out[403] = errorReply(403);
    out[429] = errorReply(429);
  }
  if (def.usesStores !== false) out[503] = errorReply(503);
  return out;
}

/** A route of the table, with the error replies its definition implies added to the ones it lists. */
export function defineRoute<const D extends RouteDefinition>(def: D): D {
  return { ...def, replies: { ...errorReplies(def), ...def.replies } };
}

/** Fastify's form of an OpenAPI path: `/v1/simulations/{id}` -> `/v1/simulations/:id`. */
export const fastifyPath = (path: string) => path.replace(/\{(\w+)\}/g, ':$1');
