// API keys: only a key's sha256 is stored; the prefix identifies it in lists.
import type { Database } from './client.ts';
import type { ApiKey, ApiKeyRole } from './generated/client.ts';

export type ApiKeyRow = ApiKey;
export type { ApiKeyRole };

export function createApiKey(
  db: Database,
  k: { name: string; prefix: string; hash: string; role: ApiKeyRole; rateLimitPerMinute?: number | null },
): Promise<ApiKeyRow> {
  return db.prisma.apiKey.create({ data: { ...k, rateLimitPerMinute: k.rateLimitPerMinute ?? null } });
}

/** The key with this hash, revoked or not. */
export function findApiKeyByHash(db: Database, hash: string): Promise<ApiKeyRow | null> {
  return db.prisma.apiKey.findUnique({ where: { hash } });
}

export function listApiKeys(db: Database): Promise<ApiKeyRow[]> {
  return db.prisma.apiKey.findMany({ orderBy: { createdAt: 'desc' } });
}

/** Marks the key revoked; null when there is no such key. */
export async function revokeApiKey(db: Database, id: string): Promise<ApiKeyRow | null> {
  const { count } = await db.prisma.apiKey.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: new Date() } });
  const row = await db.prisma.apiKey.findUnique({ where: { id } });
  return row && (count > 0 || row.revokedAt) ? row : null;
}

/** Records use, at most once a minute per key (the caller throttles). */
export async function touchApiKey(db: Database, id: string): Promise<void> {
  await db.prisma.apiKey.updateMany({ where: { id }, data: { lastUsedAt: new Date() } });
}
