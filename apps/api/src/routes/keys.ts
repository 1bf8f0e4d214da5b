// /v1/keys: create (the key is shown once), list, revoke. Admin only, in the project the admin acts
// in (its own, or the one its Mfsim-Project header names). /v1/projects: the current project and those an admin may switch to.
import type { FastifyInstance } from 'fastify';
import { apiRoutes, idSchema } from '@mfsim/contracts';
import { createApiKey, listApiKeys, listProjects, revokeApiKey, type ApiKeyRow } from '@mfsim/db';
import { newApiKey, projectOf } from '../auth.ts';
import { NotFoundError } from '../errors.ts';
import { route } from '../route.ts';

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
  // The reply's `key` is kept out of the idempotency record (idempotency.ts): a replay answers it as null.
  route(app, apiRoutes.keys.create, async (request, reply) => {
    const body = request.body;
    const { key, prefix, hash } = newApiKey();
    const row = await createApiKey(app.deps.db, {
      name: body.name, role: body.role, project: body.project ?? projectOf(request), prefix, hash, rateLimitPerMinute: body.rateLimitPerMinute,
    });
    reply.status(201).header('Location', `/v1/keys/${row.id}`);
    return { ...apiKeyReply(row), key };
  }, { config: { idempotencySecret: 'key' } });

  route(app, apiRoutes.keys.list, async (request) => ({ items: (await listApiKeys(app.deps.db, projectOf(request))).map(apiKeyReply) }));

  // Any key: its own project (what the dashboard shows); an admin key: every project, to switch to.
  // With keys off there is one project to work in.
  route(app, apiRoutes.keys.projects, async (request) => {
    const all = (await listProjects(app.deps.db)).map((p) => ({ name: p.name, createdAt: p.createdAt.toISOString() }));
    const current = projectOf(request);
    const mayCross = request.caller?.role === 'admin' && request.caller.id !== 'anonymous';
    return { items: mayCross ? all : all.filter((p) => p.name === current), current, role: request.caller?.role ?? 'admin' };
  });

  route(app, apiRoutes.keys.revoke, async (request) => {
    const id = request.params.id;
    const row = idSchema.safeParse(id).success ? await revokeApiKey(app.deps.db, id, projectOf(request)) : null;
    if (!row) throw new NotFoundError(`key ${id}`);
    app.forgetApiKeys?.();
    return apiKeyReply(row);
  });
}
