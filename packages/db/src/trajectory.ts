// Trajectory points: written in bulk, one statement per chunk, and read back in step order.
import type { Database } from './client.ts';

export interface PointRow {
  replica: number;
  step: number;
  time: number;
  trainLoss: number | null;
  testLoss: number | null;
  testError: number | null;
}

// Non-finite values are stored as NULL: a diverged run never stores NaN as a number.
const finiteOrNull = (v: number | null) => (v === null || !Number.isFinite(v) ? null : v);

/**
 * Writes the points of one chunk with a single INSERT ... SELECT FROM unnest(...).
 * Idempotent: a chunk written again after a resume replaces the same rows.
 */
export async function writeTrajectoryPoints(db: Database, simulationId: string, points: PointRow[]): Promise<void> {
  if (points.length === 0) return;
  const n = points.length;
  const replica = new Array<number>(n);
  const step = new Array<number>(n);
  const time = new Array<number>(n);
  const trainLoss = new Array<number | null>(n);
  const testLoss = new Array<number | null>(n);
  const testError = new Array<number | null>(n);
  for (let i = 0; i < n; i++) {
    const p = points[i];
    replica[i] = p.replica;
    step[i] = p.step;
    time[i] = p.time;
    trainLoss[i] = finiteOrNull(p.trainLoss);
    testLoss[i] = finiteOrNull(p.testLoss);
    testError[i] = finiteOrNull(p.testError);
  }
  await db.pool.query(
    `INSERT INTO trajectory_points ("simulationId", replica, step, time, "trainLoss", "testLoss", "testError")
     SELECT $1::uuid, * FROM unnest($2::int[], $3::int[], $4::float8[], $5::float8[], $6::float8[], $7::float8[])
     ON CONFLICT ("simulationId", replica, step) DO UPDATE SET
       time = EXCLUDED.time, "trainLoss" = EXCLUDED."trainLoss",
       "testLoss" = EXCLUDED."testLoss", "testError" = EXCLUDED."testError"`,
    [simulationId, replica, step, time, trainLoss, testLoss, testError],
  );
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
