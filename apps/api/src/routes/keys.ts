// /v1/keys: create (the key is shown once), list, revoke. Admin only, in the project the admin acts
// in (its own, or the one its Mfsim-Project header names). /v1/projects: the current project and those an admin may switch to.
import type { FastifyInstance } from 'fastify';
import { idSchema, newApiKeySchema } from '@mfsim/contracts';
import { createApiKey, listApiKeys, listProjects, revokeApiKey, type ApiKeyRow } from '@mfsim/db';
import { newApiKey, projectOf } from '../auth.ts';
import { NotFoundError, parseOr400 } from '../errors.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function apiKeyReply(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    project: row.project,
    rateLimitPerMinute: row.rateLimitPerMinute,
    createdAt: row.createdAt.toISOString(),
    revokedAt: iso(row.revokedAt),
    lastUsedAt: iso(row.lastUsedAt),
  };
}

export default async function keyRoutes(app: FastifyInstance) {
  const config = { role: 'admin' as const };

  // The reply's `key` is kept out of the idempotency record (idempotency.ts): a replay answers it as null.
  app.post('/v1/keys', { config: { ...config, idempotencySecret: 'key' } }, async (request, reply) => {
    const body = parseOr400(newApiKeySchema, request.body, 'key');
    const { key, prefix, hash } = newApiKey();
    const row = await createApiKey(app.deps.db, {
      name: body.name, role: body.role, project: body.project ?? projectOf(request), prefix, hash, rateLimitPerMinute: body.rateLimitPerMinute,
    });
    reply.status(201).header('Location', `/v1/keys/${row.id}`);
    return { ...apiKeyReply(row), key };
  });

  app.get('/v1/keys', { config }, async (request) => ({ items: (await listApiKeys(app.deps.db, projectOf(request))).map(apiKeyReply) }));

  // Any key: its own project (what the dashboard shows); an admin: every project, to switch to.
  app.get('/v1/projects', { config: { role: 'read' } }, async (request) => {
    const all = (await listProjects(app.deps.db)).map((p) => ({ name: p.name, createdAt: p.createdAt.toISOString() }));
    const current = projectOf(request);
    return { items: request.caller?.role === 'admin' ? all : all.filter((p) => p.name === current), current };
  });

  app.delete<{ Params: { id: string } }>('/v1/keys/:id', { config }, async (request) => {
    const id = request.params.id;
    const row = idSchema.safeParse(id).success ? await revokeApiKey(app.deps.db, id, projectOf(request)) : null;
    if (!row) throw new NotFoundError(`key ${id}`);
    app.forgetApiKeys?.();
    return apiKeyReply(row);
  });
}
