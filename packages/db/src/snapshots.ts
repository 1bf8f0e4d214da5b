// Particle snapshots of a run. Like checkpoints (checkpoints.ts), the bytes (c, then w, then b, as
// float32) go in pieces of at most CHECKPOINT_CHUNK_BYTES (snapshot_chunks), written as binary
// parameters and read back one piece per query, so a snapshot of any accepted size never becomes
// one JS string (pg reads a bytea as hex text). Each snapshot is written in one transaction.
import { CHECKPOINT_CHUNK_BYTES } from './checkpoints.ts';
import type { Database } from './client.ts';
import { inTransaction } from './client.ts';
import { bytesFloat32 } from './records.ts';

export interface SnapshotRow {
  step: number;
  c: Float32Array; // [R, n]
  w: Float32Array; // [R, n, d]
  b: Float32Array; // [R, n]
}

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Pieces of at most `size` bytes of the concatenation of `parts`, without building it. */
function* pieces(parts: Buffer[], size: number): Generator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for (const part of parts) {
    for (let o = 0; o < part.byteLength; ) {
      const take = Math.min(size - length, part.byteLength - o);
      pending.push(part.subarray(o, o + take));
      length += take;
      o += take;
      if (length === size) {
        yield pending.length === 1 ? pending[0] : Buffer.concat(pending);
        pending = [];
        length = 0;
      }
    }
  }
  if (length > 0) yield pending.length === 1 ? pending[0] : Buffer.concat(pending);
}

export async function writeSnapshots(db: Database, simulationId: string, rows: SnapshotRow[]): Promise<void> {
  for (const s of rows) {
    const parts = [bytesOf(s.c), bytesOf(s.w), bytesOf(s.b)];
    await inTransaction(db, async (client) => {
      await client.query(
        `INSERT INTO snapshots ("simulationId", step, c, w, b, "cBytes", "wBytes", "bBytes") VALUES ($1, $2, NULL, NULL, NULL, $3, $4, $5)
         ON CONFLICT ("simulationId", step) DO UPDATE SET c = NULL, w = NULL, b = NULL,
           "cBytes" = EXCLUDED."cBytes", "wBytes" = EXCLUDED."wBytes", "bBytes" = EXCLUDED."bBytes"`,
        [simulationId, s.step, ...parts.map((p) => p.byteLength)],
      );
      await client.query('DELETE FROM snapshot_chunks WHERE "simulationId" = $1 AND step = $2', [simulationId, s.step]);
      let index = 0;
      for (const piece of pieces(parts, CHECKPOINT_CHUNK_BYTES)) {
        await client.query('INSERT INTO snapshot_chunks ("simulationId", step, index, data) VALUES ($1, $2, $3, $4)', [simulationId, s.step, index++, piece]);
      }
    });
  }
}

export async function readSnapshot(db: Database, simulationId: string, step: number): Promise<SnapshotRow | null> {
  return inTransaction(db, async (client) => {
    const head = await client.query<{ legacy: boolean; c: string; w: string; b: string }>(
      `SELECT c IS NOT NULL AS legacy, "cBytes"::text AS c, "wBytes"::text AS w, "bBytes"::text AS b
       FROM snapshots WHERE "simulationId" = $1 AND step = $2`,
      [simulationId, step],
    );
    const row = head.rows[0];
    if (!row) return null;
    if (row.legacy) {
      const { rows } = await client.query<{ c: Buffer; w: Buffer; b: Buffer }>('SELECT c, w, b FROM snapshots WHERE "simulationId" = $1 AND step = $2', [simulationId, step]);
      return { step, c: bytesFloat32(rows[0].c), w: bytesFloat32(rows[0].w), b: bytesFloat32(rows[0].b) };
    }
    const [c, w, b] = [Number(row.c), Number(row.w), Number(row.b)];
    // One aligned buffer (every part is a whole number of floats), filled one piece per query.
    const all = new Uint8Array(c + w + b);
    let o = 0;
    for (let index = 0; o < all.byteLength; index++) {
      const { rows } = await client.query<{ data: Buffer }>(
        'SELECT data FROM snapshot_chunks WHERE "simulationId" = $1 AND step = $2 AND index = $3',
        [simulationId, step, index],
      );
      if (!rows[0]) throw new Error(`snapshot ${step} of ${simulationId} is missing piece ${index}`);
      all.set(rows[0].data, o);
      o += rows[0].data.byteLength;
    }
    if (o !== all.byteLength) throw new Error(`snapshot ${step} of ${simulationId} has ${o} bytes, not ${all.byteLength}`);
    return { step, c: new Float32Array(all.buffer, 0, c / 4), w: new Float32Array(all.buffer, c, w / 4), b: new Float32Array(all.buffer, c + w, b / 4) };
  });
}

export async function listSnapshotSteps(db: Database, simulationId: string): Promise<number[]> {
  const rows = await db.prisma.snapshot.findMany({ where: { simulationId }, select: { step: true }, orderBy: { step: 'asc' } });
  return rows.map((r) => r.step);
}
