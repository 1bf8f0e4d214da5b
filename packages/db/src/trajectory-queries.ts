// Trajectory queries: a step or time range, one replica or all, either downsampled in SQL or
// paged with a keyset cursor for full scans. Both are served by the primary key
// (simulationId, replica, step); time grows with step within a run, so a time range needs no
// index of its own (it filters the same index range scan).
import type { Database } from './client.ts';
import type { PointRow } from './trajectory.ts';

export interface TrajectoryRange {
  replica?: number;
  fromStep?: number;
  toStep?: number;
  fromTime?: number;
  toTime?: number;
}

/** The series whose extremes downsampling keeps. */
export type DownsampleSeries = 'testLoss' | 'trainLoss' | 'testError';

const COLUMNS = 'replica, step, time, "trainLoss", "testLoss", "testError"';
const RANGE = `"simulationId" = $1 AND ($2::int IS NULL OR replica = $2)
  AND ($3::int IS NULL OR step >= $3) AND ($4::int IS NULL OR step <= $4)
  AND ($5::float8 IS NULL OR time >= $5) AND ($6::float8 IS NULL OR time <= $6)`;
const rangeParams = (id: string, r: TrajectoryRange) => [
  id, r.replica ?? null, r.fromStep ?? null, r.toStep ?? null, r.fromTime ?? null, r.toTime ?? null,
];
const SERIES_COLUMN: Record<DownsampleSeries, string> = { testLoss: '"testLoss"', trainLoss: '"trainLoss"', testError: '"testError"' };

/**
 * At most `maxPoints` points per replica: the replica's step range is cut into (maxPoints - 2) / 3
 * buckets; each keeps the point with the least and the largest `by` and its last point, and the
 * first and last points of the range are always kept. One statement, one pass over the range
 * (min/max of ARRAY[value, step] pick a value and its step together), in (replica, step) order.
 */
export async function readTrajectoryDownsampled(
  db: Database,
  simulationId: string,
  range: TrajectoryRange,
  maxPoints: number,
  by: DownsampleSeries = 'testLoss',
): Promise<PointRow[]> {
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 3));
  const v = SERIES_COLUMN[by];
  const { rows } = await db.pool.query<PointRow>(
    `WITH pts AS MATERIALIZED (
       SELECT ${COLUMNS}, ${v} AS v FROM trajectory_points WHERE ${RANGE}
     ),
     bounds AS (SELECT replica, min(step) AS lo, max(step) AS hi, count(*) AS n FROM pts GROUP BY replica),
     picked AS (
       SELECT p.replica,
              min(ARRAY[p.v, p.step::float8]) FILTER (WHERE p.v IS NOT NULL) AS mn,
              max(ARRAY[p.v, p.step::float8]) FILTER (WHERE p.v IS NOT NULL) AS mx,
              max(p.step) AS last
         FROM pts p JOIN bounds b USING (replica)
        WHERE b.n > $7::int
        GROUP BY p.replica, width_bucket(p.step, b.lo, b.hi + 1, $8::int)
     ),
     keep AS (
       SELECT replica, mn[2]::int AS step FROM picked WHERE mn IS NOT NULL
       UNION SELECT replica, mx[2]::int FROM picked WHERE mx IS NOT NULL
       UNION SELECT replica, last FROM picked
       UNION SELECT replica, lo FROM bounds
       UNION SELECT replica, hi FROM bounds
     )
     SELECT ${COLUMNS} FROM pts p
      WHERE (p.replica, p.step) IN (SELECT replica, step FROM keep)
         OR p.replica IN (SELECT replica FROM bounds WHERE n <= $7::int)
      ORDER BY replica, step`,
    [...rangeParams(simulationId, range), maxPoints, buckets],
  );
  return rows;
}

export class InvalidTrajectoryCursorError extends Error {
  constructor() {
    super('cursor is not one this API returned');
    this.name = 'InvalidTrajectoryCursorError';
  }
}

const encodeCursor = (p: PointRow) => Buffer.from(`${p.replica}:${p.step}`).toString('base64url');
function decodeCursor(cursor: string): [number, number] {
  const m = /^(\d{1,9}):(\d{1,10})$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!m) throw new InvalidTrajectoryCursorError();
  return [Number(m[1]), Number(m[2])];
}

/** A page of the full trajectory in (replica, step) order; `nextCursor` continues it. */
export async function readTrajectoryPage(
  db: Database,
  simulationId: string,
  range: TrajectoryRange,
  page: { limit: number; cursor?: string },
): Promise<{ points: PointRow[]; nextCursor: string | null }> {
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const { rows } = await db.pool.query<PointRow>(
    `SELECT ${COLUMNS} FROM trajectory_points
      WHERE ${RANGE} AND ($7::int IS NULL OR (replica, step) > ($7::int, $8::int))
      ORDER BY replica, step LIMIT $9`,
    [...rangeParams(simulationId, range), after?.[0] ?? null, after?.[1] ?? 0, page.limit + 1],
  );
  const points = rows.slice(0, page.limit);
  return { points, nextCursor: rows.length > page.limit ? encodeCursor(points[points.length - 1]) : null };
}
