// API keys: only a key's sha256 is stored; the prefix identifies it in lists.
import type { Database } from './client.ts';
import type { ApiKey, ApiKeyRole } from './generated/client.ts';

export type ApiKeyRow = ApiKey;
export type { ApiKeyRole };

/** A new key in `project`, which is made if it does not exist yet. */
export function createApiKey(
  db: Database,
  k: { name: string; prefix: string; hash: string; role: ApiKeyRole; project: string; rateLimitPerMinute?: number | null },
): Promise<ApiKeyRow> {
  return db.prisma.$transaction(async (tx) => {
    await tx.project.upsert({ where: { name: k.project }, create: { name: k.project }, update: {} });
    return tx.apiKey.create({ data: { ...k, rateLimitPerMinute: k.rateLimitPerMinute ?? null } });
  });
}

/** The key with this hash, revoked or not. */
export function findApiKeyByHash(db: Database, hash: string): Promise<ApiKeyRow | null> {
  return db.prisma.apiKey.findUnique({ where: { hash } });
}

/** The keys of one project, newest first. */
export function listApiKeys(db: Database, project: string): Promise<ApiKeyRow[]> {
  return db.prisma.apiKey.findMany({ where: { project }, orderBy: { createdAt: 'desc' } });
}

/** Marks the key of `project` revoked; null when that project has no such key. */
export async function revokeApiKey(db: Database, id: string, project: string): Promise<ApiKeyRow | null> {
  const { count } = await db.prisma.apiKey.updateMany({ where: { id, project, revokedAt: null }, data: { revokedAt: new Date() } });
  const row = await db.prisma.apiKey.findFirst({ where: { id, project } });
  return row && (count > 0 || row.revokedAt) ? row : null;
}

/** Records use, at most once a minute per key (the caller throttles). */
export async function touchApiKey(db: Database, id: string): Promise<void> {
  await db.prisma.apiKey.updateMany({ where: { id }, data: { lastUsedAt: new Date() } });
}
