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

/** How downsampling cuts the step range into buckets: evenly in step, or evenly in log(step). */
export type DownsampleAxis = 'linear' | 'log';

/**
 * At most `maxPoints` points in all (never fewer than the first and last step of each replica),
 * and the same steps for every replica, so the replicas' curves and their mean line up.
 * The distinct steps of the range are cut into buckets, evenly in log(step) when `axis` is 'log'
 * (the default for a run recorded with `logPoints`, so the early, log-spaced dynamics survive) and
 * evenly in step otherwise. With room for 3 points per bucket, a bucket keeps the steps where the
 * replica-mean `by` is least and largest and its last step; with less, only its last step. The
 * first and last steps of the range are always kept. One statement, one pass over the range.
 */
export async function readTrajectoryDownsampled(
  db: Database,
  simulationId: string,
  range: TrajectoryRange,
  maxPoints: number,
  by: DownsampleSeries = 'testLoss',
  axis?: DownsampleAxis,
): Promise<PointRow[]> {
  const v = SERIES_COLUMN[by];
  const { rows } = await db.pool.query<PointRow>(
    `WITH pts AS MATERIALIZED (
       SELECT ${COLUMNS}, ${v} AS v FROM trajectory_points WHERE ${RANGE}
     ),
     steps AS (SELECT step, avg(v) AS v FROM pts GROUP BY step),
     bounds AS (SELECT min(step) AS lo, max(step) AS hi, count(*) AS n FROM steps),
     budget AS (SELECT greatest(2, floor($7::float8 / greatest(1, count(DISTINCT replica))))::int AS k FROM pts),
     shape AS (
       SELECT k, CASE WHEN k >= 32 THEN (k - 2) / 3 ELSE greatest(1, k - 2) END AS buckets, k >= 32 AS extremes,
              coalesce($8::text, (SELECT CASE WHEN spec->'record' ? 'logPoints' THEN 'log' ELSE 'linear' END
                                    FROM simulations WHERE id = $1)) = 'log' AS logAxis
         FROM budget
     ),
     picked AS (
       SELECT min(ARRAY[s.v, s.step::float8]) FILTER (WHERE s.v IS NOT NULL AND sh.extremes) AS mn,
              max(ARRAY[s.v, s.step::float8]) FILTER (WHERE s.v IS NOT NULL AND sh.extremes) AS mx,
              max(s.step) AS last
         FROM steps s CROSS JOIN bounds b CROSS JOIN shape sh
        WHERE b.n > sh.k
        GROUP BY CASE WHEN sh.logAxis
                      THEN width_bucket(ln(s.step - b.lo + 1), 0, ln(b.hi - b.lo + 2), sh.buckets)
                      ELSE width_bucket(s.step, b.lo, b.hi + 1, sh.buckets) END
     ),
     keep AS (
       SELECT mn[2]::int AS step FROM picked WHERE mn IS NOT NULL
       UNION SELECT mx[2]::int FROM picked WHERE mx IS NOT NULL
       UNION SELECT last FROM picked
       UNION SELECT lo FROM bounds
       UNION SELECT hi FROM bounds
     )
     SELECT ${COLUMNS} FROM pts p
      WHERE p.step IN (SELECT step FROM keep)
         OR (SELECT n FROM bounds) <= (SELECT k FROM budget)
      ORDER BY replica, step`,
    [...rangeParams(simulationId, range), maxPoints, axis ?? null],
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
  // Replica and step are Postgres integers: a cursor past 2^31 - 1 is not one this API sent.
  if (!m || Number(m[2]) > 2 ** 31 - 1) throw new InvalidTrajectoryCursorError();
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
