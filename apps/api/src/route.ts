// Registers a route of the contracts' table (packages/contracts/src/routes): its zod schemas become
// Fastify's validation (a 400 naming each field, in the one error shape), its handler's types and,
// through @fastify/swagger's jsonSchemaTransform (docs.ts), its part of the OpenAPI document.
import type { FastifyContextConfig, FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { fastifyPath, fieldIssues, type RouteDefinition } from '@mfsim/contracts';
import { RequestError } from './errors.ts';

type Out<S> = S extends z.ZodType ? z.output<S> : unknown;
/** The request of a route, typed by its definition. */
export type RouteRequest<D extends RouteDefinition> = FastifyRequest<{
  Params: Out<D['params']>;
  Querystring: Out<D['query']>;
  Body: D['body'] extends { schema: infer S } ? Out<S> : unknown;
}>;
export type RouteHandler<D extends RouteDefinition> = (request: RouteRequest<D>, reply: FastifyReply) => Promise<unknown>;

/** The routes of the table as registered, by `METHOD /fastify/:path` (docs.ts adds their examples). */
const registered = new Map<string, RouteDefinition>();
export const registeredRoute = (method: string, url: string) => registered.get(`${method} ${url}`);
export const registeredRoutes = () => [...registered.values()];

// The words error messages use for each part: "invalid query: ...", "invalid spec: ...".
const PART_NAMES: Record<string, string> = { querystring: 'query', params: 'path', headers: 'headers', body: 'body' };

/** A zod validator that fails with the API's 400 (RequestError: message and `issues` naming each field). */
function validatorFor(def: RouteDefinition) {
  return ({ schema, httpPart }: { schema: z.ZodType; httpPart?: string }) => (data: unknown) => {
    // Fastify hands an absent part over as null: an absent body is read as absent (undefined).
    const r = schema.safeParse(data === null && httpPart === 'body' ? undefined : data);
    if (r.success) return { value: r.data };
    const issues = fieldIssues(r.error);
    const where = httpPart === 'body' ? (def.body?.name ?? 'body') : (PART_NAMES[httpPart ?? ''] ?? httpPart ?? 'request');
    return { error: new RequestError(400, `invalid ${where}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues) };
  };
}

/** The Fastify schema of a definition: the zod schemas as they are, and the documentation fields. */
export function fastifySchema(def: RouteDefinition): FastifySchema {
  const response: Record<string, unknown> = {};
  for (const [status, r] of Object.entries(def.replies)) {
    const content = r.content ?? (r.schema ? { 'application/json': { schema: r.schema } } : {});
    response[status] = { description: r.description, content: Object.fromEntries(Object.entries(content).map(([type, c]) => [type, { schema: c.schema }])) };
  }
  return {
    operationId: def.operationId,
    summary: def.summary,
    ...(def.description && { description: def.description }),
    tags: def.tags,
    security: def.auth === 'public' ? [] : [{ bearerAuth: [] }],
    ...(def.params && { params: def.params }),
    ...(def.query && { querystring: def.query }),
    ...(def.headers && { headers: def.headers }),
    ...(def.body && { body: def.body.schema }),
    response,
  } as FastifySchema;
}

/** Registers `def` on `app` with `handler`. */
export function route<D extends RouteDefinition>(app: FastifyInstance, def: D, handler: RouteHandler<D>, options: { config?: FastifyContextConfig & Record<string, unknown> } = {}) {
  registered.set(`${def.method} ${fastifyPath(def.path)}`, def);
  app.withTypeProvider<ZodTypeProvider>().route({
    method: def.method,
    url: fastifyPath(def.path),
    schema: fastifySchema(def),
    validatorCompiler: validatorFor(def) as never,
    // Replies are written as the handler returns them (the wire format is the handler's, not re-encoded).
    serializerCompiler: () => (data) => JSON.stringify(data),
    config: { ...options.config, role: def.auth, ...(def.queryToken && { queryToken: true }) },
    handler: handler as never,
  });
}
