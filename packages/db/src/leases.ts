// Leases of running simulations: Postgres, not Redis, says who runs what. A worker claims a
// simulation with a lease it renews while it runs; a simulation whose lease expired has no live
// worker, and recovery (apps/api/src/recovery.ts) queues it again when its job is gone too.
// A claim that takes over another worker's lease counts that worker's death when no checkpoint
// was written since the previous claim; at QUARANTINE_DEATHS the caller fails the simulation
// instead of running it (a run that kills its worker, e.g. out of memory, would kill every worker).
import type { Database } from './client.ts';

export const QUARANTINE_DEATHS = 2;

export interface Claim {
  /** Deaths without progress counted so far, this claim's included. */
  workerDeaths: number;
  /** The worker whose lease this claim took over (null: none, or this worker's own). */
  previousOwner: string | null;
  /** Whether a checkpoint is stored (when not, the run starts at step 0 without looking for one). */
  hasCheckpoint: boolean;
  /** What the worker needs of the row, read by the claim itself (no lookup before it). */
  row: ClaimedRow;
}

export interface ClaimedRow {
  spec: unknown;
  seed: bigint;
  width: number;
  project: string;
  sweepId: string | null;
  sweepPoint: unknown;
}

/**
 * queued|running -> running, owned by `owner` until now + leaseSeconds. Null when the simulation
 * is in neither state (cancelled, finished, gone).
 */
export async function claimRun(
  db: Database, id: string, run: { owner: string; leaseSeconds: number; backend: string; device: string },
): Promise<Claim | null> {
  const { rows } = await db.pool.query<Omit<Claim, 'row'> & Omit<ClaimedRow, 'seed'> & { seed: string }>(
    `WITH cur AS (
       SELECT s.id, s."leaseOwner", s.status, s."workerDeaths", s."claimStep",
              coalesce((SELECT c.step FROM checkpoints c WHERE c."simulationId" = s.id), 0) AS step,
              EXISTS (SELECT 1 FROM checkpoints c WHERE c."simulationId" = s.id) AS "hasCheckpoint"
         FROM simulations s WHERE s.id = $1 AND s.status IN ('queued', 'running') FOR UPDATE)
     UPDATE simulations s SET
       status = 'running', "leaseOwner" = $2, "leaseExpiresAt" = now() + make_interval(secs => $3),
       backend = $4, device = $5, "startedAt" = now(), "firstStartedAt" = coalesce(s."firstStartedAt", now()), error = NULL,
       "workerDeaths" = CASE
         WHEN cur."leaseOwner" IS NULL OR cur."leaseOwner" = $2 THEN cur."workerDeaths"
         WHEN cur.step <= coalesce(cur."claimStep", -1) THEN cur."workerDeaths" + 1
         ELSE 1 END,
       "claimStep" = cur.step
     FROM cur WHERE s.id = cur.id
     RETURNING s."workerDeaths" AS "workerDeaths", CASE WHEN cur."leaseOwner" = $2 THEN NULL ELSE cur."leaseOwner" END AS "previousOwner",
               cur."hasCheckpoint" AS "hasCheckpoint",
               s.spec, s.seed::text AS seed, s.width, s.project, s."sweepId", s."sweepPoint"`,
    [id, run.owner, run.leaseSeconds, run.backend, run.device],
  );
  const r = rows[0];
  if (!r) return null;
  const { workerDeaths, previousOwner, hasCheckpoint, spec, seed, width, project, sweepId, sweepPoint } = r;
  return { workerDeaths, previousOwner, hasCheckpoint, row: { spec, seed: BigInt(seed), width, project, sweepId, sweepPoint } };
}

/** Extends `owner`'s lease; false when it no longer holds it (taken over, cancelled, finished). */
export async function renewLease(db: Database, id: string, owner: string, leaseSeconds: number): Promise<boolean> {
  const { rowCount } = await db.pool.query(
    `UPDATE simulations SET "leaseExpiresAt" = now() + make_interval(secs => $3)
      WHERE id = $1 AND "leaseOwner" = $2 AND status = 'running'`,
    [id, owner, leaseSeconds],
  );
  return (rowCount ?? 0) > 0;
}

/** Gives the lease up (the run ended or was handed back); a lease taken over by another stays. */
export async function releaseLease(db: Database, id: string, owner: string): Promise<void> {
  await db.pool.query(`UPDATE simulations SET "leaseOwner" = NULL, "leaseExpiresAt" = NULL WHERE id = $1 AND "leaseOwner" = $2`, [id, owner]);
}

// A lease that expired, or none at all: a worker that hands its job back on shutdown releases the
// lease and leaves the row `running` with the job waiting in Redis; a Redis that then loses the job
// (a restart without persistence) would leave that row running forever if only expired leases counted.
const NO_LIVE_LEASE = `("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < now())`;

/** `running` simulations with no live lease (expired: their worker stopped renewing; none: handed back), oldest first. */
export async function expiredLeases(db: Database): Promise<{ id: string; leaseOwner: string | null }[]> {
  const { rows } = await db.pool.query<{ id: string; leaseOwner: string | null }>(
    `SELECT id, "leaseOwner" FROM simulations WHERE status = 'running' AND ${NO_LIVE_LEASE} ORDER BY "leaseExpiresAt" NULLS FIRST`,
  );
  return rows;
}

/**
 * running -> queued for a simulation whose lease is still expired (no worker renewed it meanwhile),
 * keeping its checkpoint and points; the lease stays recorded, so the next claim counts the death.
 */
export async function requeueExpired(db: Database, id: string): Promise<boolean> {
  const { rowCount } = await db.pool.query(
    `UPDATE simulations SET status = 'queued' WHERE id = $1 AND status = 'running' AND ${NO_LIVE_LEASE}`,
    [id],
  );
  return (rowCount ?? 0) > 0;
}
