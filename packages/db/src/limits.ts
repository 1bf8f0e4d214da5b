// The infinite-width limits report of a finished simulation (one JSON document per run).
import type { Database } from './client.ts';

/** Replaces the simulation's limits report. */
export async function writeSimulationLimits(db: Database, simulationId: string, report: unknown): Promise<void> {
  await db.pool.query(
    `INSERT INTO simulation_limits ("simulationId", report) VALUES ($1, $2::jsonb)
     ON CONFLICT ("simulationId") DO UPDATE SET report = EXCLUDED.report, "createdAt" = CURRENT_TIMESTAMP`,
    [simulationId, JSON.stringify(report)],
  );
}

/** The stored report, or null when none was computed (yet). */
export async function readSimulationLimits(db: Database, simulationId: string): Promise<unknown> {
  const r = await db.pool.query<{ report: unknown }>('SELECT report FROM simulation_limits WHERE "simulationId" = $1', [simulationId]);
  return r.rows[0]?.report ?? null;
}

/** The reports of many simulations (a sweep's children), by id. */
export async function readSimulationLimitsMany(db: Database, ids: string[]): Promise<Map<string, unknown>> {
  if (ids.length === 0) return new Map();
  const r = await db.pool.query<{ simulationId: string; report: unknown }>(
    'SELECT "simulationId", report FROM simulation_limits WHERE "simulationId" = ANY($1::uuid[])', [ids],
  );
  return new Map(r.rows.map((row) => [row.simulationId, row.report]));
}
