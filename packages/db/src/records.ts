// Float32 records of a run: probe outputs, stored as bytes (snapshots: snapshots.ts; checkpoints: checkpoints.ts).
import type { Database } from './client.ts';

/** The bytes of a float32 array (little-endian, as on every machine we run on). */
export const float32Bytes = (a: Float32Array): Uint8Array<ArrayBuffer> =>
  new Uint8Array(a.buffer, a.byteOffset, a.byteLength).slice();

export function bytesFloat32(b: Uint8Array): Float32Array {
  // Copy: a Buffer from pg need not be 4-byte aligned.
  const copy = new Uint8Array(b.byteLength);
  copy.set(b);
  return new Float32Array(copy.buffer);
}

export interface ProbeRow {
  step: number;
  values: Float32Array; // [R, probes]
}

export async function writeProbeOutputs(db: Database, simulationId: string, rows: ProbeRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.pool.query(
    `INSERT INTO probe_outputs ("simulationId", step, values)
     SELECT $1::uuid, * FROM unnest($2::int[], $3::bytea[])
     ON CONFLICT ("simulationId", step) DO UPDATE SET values = EXCLUDED.values`,
    [simulationId, rows.map((r) => r.step), rows.map((r) => float32Bytes(r.values))],
  );
}

export async function readProbeOutputs(db: Database, simulationId: string): Promise<ProbeRow[]> {
  const rows = await db.prisma.probeOutputs.findMany({ where: { simulationId }, orderBy: { step: 'asc' } });
  return rows.map((r) => ({ step: r.step, values: bytesFloat32(r.values) }));
}

/** Birth-death runs: per replica, births and deaths since the previous recorded step. */
export interface BirthDeathRow {
  step: number;
  births: number[];
  deaths: number[];
}

export async function writeBirthDeath(db: Database, simulationId: string, rows: BirthDeathRow[]): Promise<void> {
  if (rows.length === 0) return;
  await db.pool.query(
    `INSERT INTO birth_death_counts ("simulationId", step, births, deaths)
     SELECT $1::uuid, r.step, r.births, r.deaths
     FROM jsonb_to_recordset($2::jsonb) AS r(step int, births int[], deaths int[])
     ON CONFLICT ("simulationId", step) DO UPDATE SET births = EXCLUDED.births, deaths = EXCLUDED.deaths`,
    [simulationId, JSON.stringify(rows)],
  );
}

export async function readBirthDeath(db: Database, simulationId: string): Promise<BirthDeathRow[]> {
  const rows = await db.prisma.birthDeathCounts.findMany({ where: { simulationId }, orderBy: { step: 'asc' } });
  return rows.map((r) => ({ step: r.step, births: r.births, deaths: r.deaths }));
}
