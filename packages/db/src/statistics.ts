// Statistics rows: per simulation and recorded step, and per sweep series and recorded step.
// Read back as whole series, or the scaling nearest to a time.
import type { SimulationStatisticsRow } from '@mfsim/stats';
import { inTransaction, type Database } from './client.ts';
import { bytesFloat32 } from './records.ts';

/** The records statistics are computed from: steps [T], times [T], test losses [R][T], probe outputs [T][R * probes]. */
export interface StatisticsInputs {
  steps: number[];
  times: number[];
  testLosses: (number | null)[][];
  probeOutputs: (Float32Array | null)[];
}

/** Reads what one simulation recorded, aligned on its recorded steps (null where a replica has no value). */
export async function readStatisticsInputs(db: Database, simulationId: string, replicas: number): Promise<StatisticsInputs> {
  // Rows as arrays, not objects: a sweep reads R x T rows per width, and building an object per
  // row was most of the read's CPU time (npm run bench:stats prints it).
  const [points, probes] = await Promise.all([
    db.pool.query<[number, number, number, number | null]>({
      text: 'SELECT replica, step, time, "testLoss" FROM trajectory_points WHERE "simulationId" = $1 ORDER BY step, replica',
      values: [simulationId],
      rowMode: 'array',
    }),
    db.pool.query<{ step: number; values: Buffer }>(
      'SELECT step, values FROM probe_outputs WHERE "simulationId" = $1 ORDER BY step',
      [simulationId],
    ),
  ]);
  const steps: number[] = [];
  const times: number[] = [];
  const index = new Map<number, number>();
  for (const [, step, time] of points.rows) {
    if (index.has(step)) continue;
    index.set(step, steps.length);
    steps.push(step);
    times.push(time);
  }
  const testLosses = Array.from({ length: replicas }, () => new Array<number | null>(steps.length).fill(null));
  for (const [replica, step, , testLoss] of points.rows) {
    if (replica < replicas) testLosses[replica][index.get(step)!] = testLoss;
  }
  const probeOutputs = new Array<Float32Array | null>(steps.length).fill(null);
  for (const p of probes.rows) {
    const t = index.get(p.step);
    if (t !== undefined) probeOutputs[t] = bytesFloat32(p.values);
  }
  return { steps, times, testLosses, probeOutputs };
}

/** One stored row per (simulation, recorded step): the shape packages/stats computes. */
export type StoredSimulationStatistics = SimulationStatisticsRow;

const COLUMNS = [
  'meanLoss', 'lossVariance', 'standardError', 'fluctuation', 'meanOutputVariance', 'excessKurtosis', 'excessKurtosisError', 'fourPoint',
] as const;
const finiteOrNull = (v: number | null) => (v === null || !Number.isFinite(v) ? null : v);

/** Replaces the statistics of many simulations, one statement (unnest) for all rows. */
export async function writeSimulationStatistics(
  db: Database,
  bySimulation: { simulationId: string; rows: StoredSimulationStatistics[] }[],
): Promise<void> {
  const ids: string[] = [];
  const cols: Record<string, unknown[]> = { step: [], time: [], count: [], dropped: [], unstable: [], probes: [] };
  for (const c of COLUMNS) cols[c] = [];
  for (const { simulationId, rows } of bySimulation) {
    for (const r of rows) {
      ids.push(simulationId);
      cols.step.push(r.step);
      cols.time.push(r.time);
      cols.count.push(r.count);
      cols.dropped.push(r.dropped);
      cols.unstable.push(r.unstable ?? 0);
      cols.probes.push(r.probes);
      for (const c of COLUMNS) cols[c].push(finiteOrNull(r[c]));
    }
  }
  await inTransaction(db, async (client) => {
    await client.query('DELETE FROM simulation_statistics WHERE "simulationId" = ANY($1::uuid[])', [bySimulation.map((s) => s.simulationId)]);
    if (ids.length > 0) {
      await client.query(
        `INSERT INTO simulation_statistics ("simulationId", step, time, count, dropped, unstable, probes, ${COLUMNS.map((c) => `"${c}"`).join(', ')})
         SELECT * FROM unnest($1::uuid[], $2::int[], $3::float8[], $4::int[], $5::int[], $6::int[], $7::int[],
                              ${COLUMNS.map((_, i) => `$${i + 8}::float8[]`).join(', ')})`,
        [ids, cols.step, cols.time, cols.count, cols.dropped, cols.unstable, cols.probes, ...COLUMNS.map((c) => cols[c])],
      );
    }
  });
}

/** Rows in step order; empty when none are stored. */
export async function readSimulationStatistics(db: Database, simulationId: string): Promise<StoredSimulationStatistics[]> {
  return readStatisticsOf(db, [simulationId]).then((m) => m.get(simulationId) ?? []);
}

export async function readStatisticsOf(db: Database, simulationIds: string[]): Promise<Map<string, StoredSimulationStatistics[]>> {
  const { rows } = await db.pool.query<StoredSimulationStatistics & { simulationId: string }>(
    `SELECT "simulationId", step, time, "meanLoss", "lossVariance", "standardError", count, dropped, unstable,
            fluctuation, "meanOutputVariance", "excessKurtosis", "excessKurtosisError", "fourPoint", probes
       FROM simulation_statistics WHERE "simulationId" = ANY($1::uuid[]) ORDER BY "simulationId", step`,
    [simulationIds],
  );
  const out = new Map<string, StoredSimulationStatistics[]>();
  for (const { simulationId, ...row } of rows) {
    let list = out.get(simulationId);
    if (!list) out.set(simulationId, (list = []));
    list.push(row);
  }
  return out;
}

/** Records per replica the recorded step at which it went unstable (null: stable), for many simulations. */
export async function writeUnstableAtStep(db: Database, bySimulation: { simulationId: string; unstableAtStep: (number | null)[] }[]): Promise<void> {
  if (bySimulation.length === 0) return;
  await db.pool.query(
    `UPDATE simulations s SET "unstableAtStep" = u.v
       FROM unnest($1::uuid[], $2::jsonb[]) AS u(id, v) WHERE s.id = u.id`,
    [bySimulation.map((b) => b.simulationId), bySimulation.map((b) => JSON.stringify(b.unstableAtStep))],
  );
}

/** One series of a sweep at one recorded step: the scaling fit (whole, as JSON) and the extrapolation. */
export interface StoredSweepStatistics {
  series: string;
  step: number;
  time: number;
  alpha: number | null;
  alphaLower: number | null;
  alphaUpper: number | null;
  partial: boolean;
  scaling: unknown;
  extrapolation: unknown;
}

export async function writeSweepStatistics(db: Database, sweepId: string, rows: StoredSweepStatistics[]): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query('DELETE FROM sweep_statistics WHERE "sweepId" = $1', [sweepId]);
    if (rows.length > 0) {
      await client.query(
        `INSERT INTO sweep_statistics ("sweepId", series, step, time, alpha, "alphaLower", "alphaUpper", partial, scaling, extrapolation)
         SELECT $1::uuid, * FROM unnest($2::text[], $3::int[], $4::float8[], $5::float8[], $6::float8[], $7::float8[],
                                        $8::bool[], $9::jsonb[], $10::jsonb[])`,
        [
          sweepId,
          rows.map((r) => r.series),
          rows.map((r) => r.step),
          rows.map((r) => r.time),
          rows.map((r) => finiteOrNull(r.alpha)),
          rows.map((r) => finiteOrNull(r.alphaLower)),
          rows.map((r) => finiteOrNull(r.alphaUpper)),
          rows.map((r) => r.partial),
          rows.map((r) => JSON.stringify(r.scaling)),
          rows.map((r) => (r.extrapolation == null ? null : JSON.stringify(r.extrapolation))),
        ],
      );
    }
  });
}

/** Every series and step, in (series, step) order. */
export async function readSweepStatistics(db: Database, sweepId: string): Promise<StoredSweepStatistics[]> {
  const { rows } = await db.pool.query<StoredSweepStatistics>(
    `SELECT series, step, time, alpha, "alphaLower", "alphaUpper", partial, scaling, extrapolation
       FROM sweep_statistics WHERE "sweepId" = $1 ORDER BY series, step`,
    [sweepId],
  );
  return rows;
}

/** The row of `series` whose recorded time is nearest to `time` (the earlier one on a tie). */
/** The row at the recorded time nearest to `time`; null `time`: the last recorded time. */
export async function nearestSweepStatistics(db: Database, sweepId: string, series: string, time: number | null): Promise<StoredSweepStatistics | null> {
  const { rows } = await db.pool.query<StoredSweepStatistics>(
    `SELECT series, step, time, alpha, "alphaLower", "alphaUpper", partial, scaling, extrapolation
       FROM sweep_statistics WHERE "sweepId" = $1 AND series = $2
      ORDER BY CASE WHEN $3::float8 IS NULL THEN -time ELSE abs(time - $3::float8) END, time LIMIT 1`,
    [sweepId, series, time],
  );
  return rows[0] ?? null;
}

/** The series a sweep has statistics for. */
export async function sweepSeries(db: Database, sweepId: string): Promise<string[]> {
  const { rows } = await db.pool.query<{ series: string }>(
    'SELECT DISTINCT series FROM sweep_statistics WHERE "sweepId" = $1 ORDER BY series',
    [sweepId],
  );
  return rows.map((r) => r.series);
}
