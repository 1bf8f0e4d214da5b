// The worker's hot path in as few round trips as it can be: a chunk's records and the row's progress
// in one statement, and a run's end (statistics, limits, digest, final status, checkpoint, lease) in
// another. Each statement is one transaction and is written only while the caller still holds the
// run's lease (packages/db/src/leases.ts): a worker whose run was taken over, or retried after a
// cancel, writes nothing more.
import type { SimulationStatus } from '@mfsim/contracts';
import type { SimulationStatisticsRow } from '@mfsim/stats';
import type { Database } from './client.ts';
import { float32Bytes, type BirthDeathRow, type ProbeRow } from './records.ts';
import type { ChunkSummary, Outcome } from './simulations.ts';
import { arrayLiteral, type PointRow } from './trajectory.ts';

/** What the statement found: the row's status (a cancel may have come) and whether the lease was still the caller's. */
export interface LeasedWrite {
  /** False when the simulation is gone: nothing was written. */
  found: boolean;
  /** False when another worker holds the lease, or none does (retried): nothing was written. */
  held: boolean;
  /** The row's status before the write (for a chunk: the same after). */
  status: SimulationStatus | null;
}

export interface ChunkRecords {
  points: PointRow[];
  probes: ProbeRow[];
  birthDeath: BirthDeathRow[];
  stepsDone: number;
  totalSteps: number;
  summary: ChunkSummary;
}

// The row, locked against a concurrent delete (whose trigger removes the points) and change, and
// whether `owner` holds its lease; every write below is conditional on it.
const LEASED_ROW = `cur AS MATERIALIZED (
    SELECT status, coalesce("leaseOwner" = $2, false) AS held FROM simulations WHERE id = $1::uuid FOR NO KEY UPDATE)`;
const HELD = '(SELECT held FROM cur)';

/**
 * A chunk's trajectory points, probe outputs and birth-death counts, the row's progress, run time and
 * loss columns: one statement. Idempotent: a chunk written again after a resume replaces the same rows.
 */
export async function storeChunk(db: Database, simulationId: string, owner: string, c: ChunkRecords): Promise<LeasedWrite> {
  const n = c.points.length;
  const column = (pick: (p: PointRow) => number | null) => arrayLiteral(n, (i) => pick(c.points[i]));
  const { rows } = await db.pool.query<LeasedWrite>({
    name: 'store-chunk',
    text: `WITH ${LEASED_ROW},
      pts AS (
        INSERT INTO trajectory_points ("simulationId", replica, step, time, "trainLoss", "testLoss", "testError")
        SELECT $1::uuid, * FROM unnest($3::int[], $4::int[], $5::float8[], $6::float8[], $7::float8[], $8::float8[]) WHERE ${HELD}
        ON CONFLICT ("simulationId", replica, step) DO UPDATE SET
          time = EXCLUDED.time, "trainLoss" = EXCLUDED."trainLoss", "testLoss" = EXCLUDED."testLoss", "testError" = EXCLUDED."testError"),
      prb AS (
        INSERT INTO probe_outputs ("simulationId", step, values)
        SELECT $1::uuid, * FROM unnest($9::int[], $10::bytea[]) WHERE ${HELD}
        ON CONFLICT ("simulationId", step) DO UPDATE SET values = EXCLUDED.values),
      bd AS (
        INSERT INTO birth_death_counts ("simulationId", step, births, deaths)
        SELECT $1::uuid, r.step, r.births, r.deaths FROM jsonb_to_recordset($11::jsonb) AS r(step int, births int[], deaths int[]) WHERE ${HELD}
        ON CONFLICT ("simulationId", step) DO UPDATE SET births = EXCLUDED.births, deaths = EXCLUDED.deaths),
      up AS (
        UPDATE simulations SET "stepsDone" = $12, progress = $13,
          "runSeconds" = CASE WHEN $14::float8 IS NULL THEN "runSeconds" ELSE coalesce("runSeconds", 0) + $14::float8 END,
          "finalTestLoss" = coalesce($15::float8, "finalTestLoss"), "finalTrainLoss" = coalesce($16::float8, "finalTrainLoss"),
          "bestTestLoss" = least("bestTestLoss", $17::float8)
        WHERE id = $1::uuid AND ${HELD})
     SELECT count(*) > 0 AS found, coalesce(bool_and(held), false) AS held, min(status::text) AS status FROM cur`,
    values: [
      simulationId, owner,
      column((p) => p.replica), column((p) => p.step), column((p) => p.time), column((p) => p.trainLoss), column((p) => p.testLoss), column((p) => p.testError),
      c.probes.map((r) => r.step), c.probes.map((r) => float32Bytes(r.values)),
      JSON.stringify(c.birthDeath),
      c.stepsDone, c.totalSteps > 0 ? c.stepsDone / c.totalSteps : 1,
      c.summary.seconds ?? null, c.summary.finalTestLoss ?? null, c.summary.finalTrainLoss ?? null, c.summary.bestTestLoss ?? null,
    ],
  });
  return rows[0];
}

const STAT_COLUMNS = [
  'meanLoss', 'lossVariance', 'standardError', 'fluctuation', 'meanOutputVariance', 'excessKurtosis', 'excessKurtosisError', 'fourPoint',
] as const;
const finiteOrNull = (v: number | null) => (v === null || !Number.isFinite(v) ? null : v);

export interface RunEnd {
  outcome: Outcome;
  /** The run's statistics and per-replica instability; absent when they could not be computed (the stored ones stay). */
  statistics?: { rows: SimulationStatisticsRow[]; unstableAtStep: (number | null)[] };
  /** The limits report; absent when it could not be computed. */
  limits?: unknown;
}

/**
 * A run's end in one statement: its statistics (replacing the stored ones), limits report and
 * trajectory digest, the final status (a `cancelled` row stays cancelled, its attempt's time still
 * counts, as markFinished), the checkpoint deleted and the lease given up. All of it or none: a
 * finished run always has its digest, and its statistics when they could be computed.
 */
export async function finishRun(db: Database, simulationId: string, owner: string, end: RunEnd): Promise<LeasedWrite> {
  const o = end.outcome;
  const rows = end.statistics?.rows ?? [];
  const col = (pick: (r: SimulationStatisticsRow) => number | null) => rows.map(pick);
  const { rows: out } = await db.pool.query<LeasedWrite>({
    name: 'finish-run',
    text: `WITH ${LEASED_ROW},
      sdel AS (
        DELETE FROM simulation_statistics WHERE "simulationId" = $1::uuid AND $3::boolean AND ${HELD} AND NOT (step = ANY($4::int[]))),
      sins AS (
        INSERT INTO simulation_statistics ("simulationId", step, time, count, dropped, unstable, probes, ${STAT_COLUMNS.map((c) => `"${c}"`).join(', ')})
        SELECT $1::uuid, * FROM unnest($4::int[], $5::float8[], $6::int[], $7::int[], $8::int[], $9::int[], ${STAT_COLUMNS.map((_, i) => `$${i + 10}::float8[]`).join(', ')})
         WHERE $3::boolean AND ${HELD}
        ON CONFLICT ("simulationId", step) DO UPDATE SET time = EXCLUDED.time, count = EXCLUDED.count, dropped = EXCLUDED.dropped,
          unstable = EXCLUDED.unstable, probes = EXCLUDED.probes, ${STAT_COLUMNS.map((c) => `"${c}" = EXCLUDED."${c}"`).join(', ')}),
      lim AS (
        INSERT INTO simulation_limits ("simulationId", report) SELECT $1::uuid, $18::jsonb WHERE $18::jsonb IS NOT NULL AND ${HELD}
        ON CONFLICT ("simulationId") DO UPDATE SET report = EXCLUDED.report, "createdAt" = CURRENT_TIMESTAMP),
      ck AS (DELETE FROM checkpoints WHERE "simulationId" = $1::uuid AND ${HELD}),
      fin AS (
        UPDATE simulations s SET
          status = CASE WHEN s.status = 'cancelled' THEN s.status ELSE $20::text::"SimulationStatus" END,
          "finishedAt" = CASE WHEN s.status = 'cancelled' THEN s."finishedAt" ELSE now() END,
          error = CASE WHEN s.status = 'cancelled' THEN s.error ELSE $21::text END,
          "divergedAtStep" = CASE WHEN s.status = 'cancelled' THEN s."divergedAtStep" ELSE $22::int END,
          "stepsDone" = CASE WHEN s.status = 'cancelled' OR $23::int IS NULL THEN s."stepsDone" ELSE $23::int END,
          progress = CASE WHEN s.status <> 'cancelled' AND $20::text = 'completed' THEN 1 ELSE s.progress END,
          "runSeconds" = CASE WHEN $24::float8 IS NULL THEN s."runSeconds" ELSE coalesce(s."runSeconds", 0) + $24::float8 END,
          "unstableAtStep" = CASE WHEN $3::boolean THEN $19::jsonb ELSE s."unstableAtStep" END,
          "trajectoryDigest" = (
            SELECT encode(sha256(convert_to(coalesce(string_agg(
                     concat_ws(',', replica, step, time, coalesce("trainLoss"::text, ''), coalesce("testLoss"::text, ''), coalesce("testError"::text, '')),
                     ';' ORDER BY step, replica), ''), 'UTF8')), 'hex')
              FROM trajectory_points WHERE "simulationId" = $1::uuid),
          "leaseOwner" = NULL, "leaseExpiresAt" = NULL
        WHERE s.id = $1::uuid AND ${HELD})
     SELECT count(*) > 0 AS found, coalesce(bool_and(held), false) AS held, min(status::text) AS status FROM cur`,
    values: [
      simulationId, owner, end.statistics !== undefined,
      col((r) => r.step), col((r) => r.time), col((r) => r.count), col((r) => r.dropped), col((r) => r.unstable ?? 0), col((r) => r.probes),
      ...STAT_COLUMNS.map((c) => col((r) => finiteOrNull(r[c]))),
      end.limits === undefined ? null : JSON.stringify(end.limits),
      end.statistics ? JSON.stringify(end.statistics.unstableAtStep) : null,
      o.status, o.error ?? null, o.divergedAtStep ?? null, o.stepsDone ?? null, o.runSeconds ?? null,
    ],
  });
  return out[0];
}
