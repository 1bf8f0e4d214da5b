// Trajectory points: written in bulk, one statement per chunk, and read back in step order.
import type { TrajectoryPointReply } from '@mfsim/contracts';
import type { Database } from './client.ts';

/** A stored trajectory point: the contract's shape (null where not finite or not defined). */
export type PointRow = TrajectoryPointReply;

/**
 * A Postgres array literal, '{1,2.5,NULL}', built here rather than by pg: its generic array
 * serialisation is about 3x slower, and this is the hot path of a chunk write. Non-finite values
 * become NULL: a diverged run never stores NaN as a number. JS's number formatting round-trips
 * exactly, so float8 values arrive bit for bit.
 */
export function arrayLiteral(n: number, value: (i: number) => number | null): string {
  const parts = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const v = value(i);
    parts[i] = v === null || !Number.isFinite(v) ? 'NULL' : String(v);
  }
  return `{${parts.join(',')}}`;
}

/** Points written for a simulation that does not exist (never created, or deleted meanwhile). */
export class UnknownSimulationError extends Error {
  constructor(readonly simulationId: string) {
    super(`no simulation ${simulationId}: its trajectory points were not written`);
    this.name = 'UnknownSimulationError';
  }
}

/**
 * Writes the points of one chunk with a single INSERT ... SELECT FROM unnest(...).
 * Idempotent: a chunk written again after a resume replaces the same rows.
 */
export async function writeTrajectoryPoints(db: Database, simulationId: string, points: PointRow[]): Promise<void> {
  if (points.length === 0) return;
  const n = points.length;
  const column = (pick: (p: PointRow) => number | null) => arrayLiteral(n, (i) => pick(points[i]));
  // The simulation is checked and key-share locked once for the statement (a concurrent delete waits,
  // then its trigger removes these points), not per row as a foreign key would: see schema.prisma.
  const { rowCount } = await db.pool.query(
    `INSERT INTO trajectory_points ("simulationId", replica, step, time, "trainLoss", "testLoss", "testError")
     SELECT $1::uuid, * FROM unnest($2::int[], $3::int[], $4::float8[], $5::float8[], $6::float8[], $7::float8[])
      WHERE EXISTS (SELECT 1 FROM simulations WHERE id = $1::uuid FOR KEY SHARE)
     ON CONFLICT ("simulationId", replica, step) DO UPDATE SET
       time = EXCLUDED.time, "trainLoss" = EXCLUDED."trainLoss",
       "testLoss" = EXCLUDED."testLoss", "testError" = EXCLUDED."testError"`,
    [
      simulationId,
      column((p) => p.replica),
      column((p) => p.step),
      column((p) => p.time),
      column((p) => p.trainLoss),
      column((p) => p.testLoss),
      column((p) => p.testError),
    ],
  );
  if (rowCount === 0) throw new UnknownSimulationError(simulationId);
}

/** Every recorded point in (replica, step) order, or one replica's. */
export async function readTrajectory(
  db: Database,
  simulationId: string,
  q: { replica?: number } = {},
): Promise<PointRow[]> {
  const { rows } = await db.pool.query<PointRow>(
    `SELECT replica, step, time, "trainLoss", "testLoss", "testError"
       FROM trajectory_points
      WHERE "simulationId" = $1 AND ($2::int IS NULL OR replica = $2)
      ORDER BY replica, step`,
    [simulationId, q.replica ?? null],
  );
  return rows;
}

export async function countTrajectoryPoints(db: Database, simulationId: string): Promise<number> {
  const { rows } = await db.pool.query<{ n: string }>(
    'SELECT count(*) AS n FROM trajectory_points WHERE "simulationId" = $1',
    [simulationId],
  );
  return Number(rows[0].n);
}

/**
 * Stores and returns the SHA-256 (hex) of a simulation's trajectory: every point as
 * "replica,step,time,trainLoss,testLoss,testError" (Postgres's shortest exact float text, NULL as
 * empty), joined by ";" in step then replica order. Computed in Postgres: nothing crosses the wire.
 */
export async function storeTrajectoryDigest(db: Database, simulationId: string): Promise<string> {
  const { rows } = await db.pool.query<{ digest: string }>(
    `UPDATE simulations SET "trajectoryDigest" = d.digest
       FROM (SELECT encode(sha256(convert_to(coalesce(string_agg(
               concat_ws(',', replica, step, time, coalesce("trainLoss"::text, ''), coalesce("testLoss"::text, ''), coalesce("testError"::text, '')),
               ';' ORDER BY step, replica), ''), 'UTF8')), 'hex') AS digest
             FROM trajectory_points WHERE "simulationId" = $1) d
      WHERE id = $1 RETURNING d.digest`,
    [simulationId],
  );
  return rows[0]?.digest;
}
