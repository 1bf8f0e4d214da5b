// Idempotency records (see prisma/schema.prisma, IdempotencyRecord): claimed atomically by one
// INSERT ... ON CONFLICT, so two concurrent retries cannot both run; a pending record's lease is
// renewed by its live request, and a record whose lease (or 24 h life) has passed is taken over.
import { randomUUID } from 'node:crypto';
import type { Database } from './client.ts';
import type { Prisma } from './generated/client.ts';

export interface IdempotencyReply {
  statusCode: number;
  headers: Record<string, string>;
  payload: string;
}

export type IdempotencyClaim =
  | { claimed: true; claim: string }
  | { claimed: false; fingerprint: string; reply: IdempotencyReply | null };

/**
 * Takes the key for this request, or says who has it: the stored reply (null while its request
 * still runs). `leaseSeconds`: how long a pending record holds without renewal; `ttlSeconds`: how
 * long a reply is kept.
 */
export async function claimIdempotencyKey(
  db: Database,
  k: { scope: string; keyHash: string; fingerprint: string; leaseSeconds: number; ttlSeconds: number },
): Promise<IdempotencyClaim> {
  const claim = randomUUID();
  const { rows } = await db.pool.query<{ claim: string }>(
    `INSERT INTO idempotency_records (scope, "keyHash", fingerprint, claim, "leaseUntil", "expiresAt")
     VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5), now() + make_interval(secs => $6))
     ON CONFLICT (scope, "keyHash") DO UPDATE
       SET fingerprint = EXCLUDED.fingerprint, claim = EXCLUDED.claim, "statusCode" = NULL, headers = NULL, payload = NULL,
           "leaseUntil" = EXCLUDED."leaseUntil", "expiresAt" = EXCLUDED."expiresAt"
       WHERE idempotency_records."expiresAt" < now()
          OR (idempotency_records."statusCode" IS NULL AND idempotency_records."leaseUntil" < now())
     RETURNING claim`,
    [k.scope, k.keyHash, k.fingerprint, claim, k.leaseSeconds, k.ttlSeconds],
  );
  if (rows[0]?.claim === claim) return { claimed: true, claim };
  const found = await db.pool.query<{ fingerprint: string; statusCode: number | null; headers: Record<string, string> | null; payload: string | null }>(
    `SELECT fingerprint, "statusCode", headers, payload FROM idempotency_records WHERE scope = $1 AND "keyHash" = $2`,
    [k.scope, k.keyHash],
  );
  const row = found.rows[0];
  // Gone between the two statements (its request failed and released it): claim again.
  if (!row) return claimIdempotencyKey(db, k);
  return {
    claimed: false,
    fingerprint: row.fingerprint,
    reply: row.statusCode === null ? null : { statusCode: row.statusCode, headers: row.headers ?? {}, payload: row.payload ?? '' },
  };
}

/** Keeps a pending record held by `claim` for another `leaseSeconds`. */
export async function renewIdempotencyLease(db: Database, k: { scope: string; keyHash: string; claim: string; leaseSeconds: number }): Promise<void> {
  await db.pool.query(
    `UPDATE idempotency_records SET "leaseUntil" = now() + make_interval(secs => $4)
      WHERE scope = $1 AND "keyHash" = $2 AND claim = $3 AND "statusCode" IS NULL`,
    [k.scope, k.keyHash, k.claim, k.leaseSeconds],
  );
}

/** Stores the reply of the request that holds `claim`. */
export async function finishIdempotencyKey(db: Database, k: { scope: string; keyHash: string; claim: string }, reply: IdempotencyReply): Promise<void> {
  await db.pool.query(
    `UPDATE idempotency_records SET "statusCode" = $4, headers = $5, payload = $6
      WHERE scope = $1 AND "keyHash" = $2 AND claim = $3`,
    [k.scope, k.keyHash, k.claim, reply.statusCode, JSON.stringify(reply.headers), reply.payload],
  );
}

/**
 * Lets the key go (the request failed in a way the client may retry), unless its reply was already
 * recorded with the rows it wrote (recordIdempotentReply): a run that was committed keeps its key.
 */
export async function releaseIdempotencyKey(db: Database, k: { scope: string; keyHash: string; claim: string }): Promise<void> {
  await db.pool.query(
    `DELETE FROM idempotency_records WHERE scope = $1 AND "keyHash" = $2 AND claim = $3 AND "statusCode" IS NULL`,
    [k.scope, k.keyHash, k.claim],
  );
}

/** Deletes records past their life, at most `limit` at a time; returns how many. */
export async function deleteExpiredIdempotencyRecords(db: Database, limit = 10_000): Promise<number> {
  const { rowCount } = await db.pool.query(
    `DELETE FROM idempotency_records WHERE ctid = ANY(ARRAY(SELECT ctid FROM idempotency_records WHERE "expiresAt" < now() LIMIT $1))`,
    [limit],
  );
  return rowCount ?? 0;
}

/** A pending record this request holds (its claim). */
export interface HeldIdempotencyKey {
  scope: string;
  keyHash: string;
  claim: string;
}

/** A write that records its reply under a held key, in the transaction of the rows it makes. */
export interface IdempotentWrite<Row> extends HeldIdempotencyKey {
  /** The reply a replay gives, built from the row just written. */
  reply(row: Row): IdempotencyReply;
}

/** The key's pending record is no longer this request's (its lease ran out and a retry took it over): nothing is written. */
export class IdempotencyKeyLostError extends Error {
  constructor() {
    super('this Idempotency-Key was taken over by a retry of the request (its lease ran out); nothing was written by this one');
    this.name = 'IdempotencyKeyLostError';
  }
}

/**
 * Stores the reply of the request holding `k` inside the transaction `tx` that writes what the
 * reply describes: the run and its record commit together or not at all, so an API that dies right
 * after the commit leaves a record that replays the run, never one a retry could take over to make a
 * second run. Throws IdempotencyKeyLostError (rolling the transaction back) when the claim is gone.
 */
export async function recordIdempotentReply(tx: Prisma.TransactionClient, k: HeldIdempotencyKey, reply: IdempotencyReply): Promise<void> {
  const updated = await tx.$executeRaw`
    UPDATE idempotency_records SET "statusCode" = ${reply.statusCode}, headers = ${JSON.stringify(reply.headers)}::jsonb, payload = ${reply.payload}
     WHERE scope = ${k.scope} AND "keyHash" = ${k.keyHash} AND claim = ${k.claim}::uuid AND "statusCode" IS NULL`;
  if (updated === 0) throw new IdempotencyKeyLostError();
}

/** Deletes the held key's record in `tx` (the write it protected was undone in the same transaction). */
export async function releaseIdempotencyKeyIn(tx: Prisma.TransactionClient, k: HeldIdempotencyKey): Promise<void> {
  await tx.$executeRaw`DELETE FROM idempotency_records WHERE scope = ${k.scope} AND "keyHash" = ${k.keyHash} AND claim = ${k.claim}::uuid`;
}
