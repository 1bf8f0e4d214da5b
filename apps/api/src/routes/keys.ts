// /v1/keys: create (the key is shown once), list, revoke. Admin only.
import type { FastifyInstance } from 'fastify';
import { idSchema, newApiKeySchema } from '@mfsim/contracts';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyRow } from '@mfsim/db';
import { newApiKey } from '../auth.ts';
import { NotFoundError, parseOr400 } from '../errors.ts';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function apiKeyReply(row: ApiKeyRow) {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    role: row.role,
    rateLimitPerMinute: row.rateLimitPerMinute,
    createdAt: row.createdAt.toISOString(),
    revokedAt: iso(row.revokedAt),
    lastUsedAt: iso(row.lastUsedAt),
  };
}

export default async function keyRoutes(app: FastifyInstance) {
  const config = { role: 'admin' as const };

  app.post('/v1/keys', { config }, async (request, reply) => {
    const body = parseOr400(newApiKeySchema, request.body, 'key');
    const { key, prefix, hash } = newApiKey();
    const row = await createApiKey(app.deps.db, { name: body.name, role: body.role, prefix, hash, rateLimitPerMinute: body.rateLimitPerMinute });
    reply.status(201).header('Location', `/v1/keys/${row.id}`);
    return { ...apiKeyReply(row), key };
  });

  app.get('/v1/keys', { config }, async () => ({ items: (await listApiKeys(app.deps.db)).map(apiKeyReply) }));

  app.delete<{ Params: { id: string } }>('/v1/keys/:id', { config }, async (request) => {
    const id = request.params.id;
    const row = idSchema.safeParse(id).success ? await revokeApiKey(app.deps.db, id) : null;
    if (!row) throw new NotFoundError(`key ${id}`);
    app.forgetApiKeys?.();
    return apiKeyReply(row);
  });
}
