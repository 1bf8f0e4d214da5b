// Checkpoints: the latest resumable engine state of a run. The bytes go in pieces of at most
// CHUNK_BYTES (checkpoint_chunks), written as binary parameters and read back piece by piece, so a
// state of any accepted size (hundreds of MB) never becomes one JS string (pg reads a bytea as hex
// text: a 286 MB value would need a 572 MB string, past V8's limit). Written in one transaction:
// a reader sees the old checkpoint or the new one, never a mix.
import type { Database } from './client.ts';
import { inTransaction } from './client.ts';

export const CHECKPOINT_CHUNK_BYTES = 4 * 2 ** 20;

export async function saveCheckpoint(db: Database, simulationId: string, step: number, state: Uint8Array): Promise<void> {
  await inTransaction(db, async (client) => {
    await client.query(
      `INSERT INTO checkpoints ("simulationId", step, state, bytes, "createdAt") VALUES ($1, $2, NULL, $3, now())
       ON CONFLICT ("simulationId") DO UPDATE SET step = EXCLUDED.step, state = NULL, bytes = EXCLUDED.bytes, "createdAt" = now()`,
      [simulationId, step, state.byteLength],
    );
    await client.query('DELETE FROM checkpoint_chunks WHERE "simulationId" = $1', [simulationId]);
    for (let index = 0, o = 0; o < state.byteLength; index++, o += CHECKPOINT_CHUNK_BYTES) {
      const piece = Buffer.from(state.buffer, state.byteOffset + o, Math.min(CHECKPOINT_CHUNK_BYTES, state.byteLength - o));
      await client.query('INSERT INTO checkpoint_chunks ("simulationId", index, data) VALUES ($1, $2, $3)', [simulationId, index, piece]);
    }
  });
}

/** The step of the stored checkpoint, read from its row without its bytes; null when there is none. */
export async function checkpointStep(db: Database, simulationId: string): Promise<number | null> {
  const { rows } = await db.pool.query<{ step: number }>('SELECT step FROM checkpoints WHERE "simulationId" = $1', [simulationId]);
  return rows[0]?.step ?? null;
}

/** The stored checkpoint, its pieces joined into one buffer; null when there is none. */
export async function loadCheckpoint(db: Database, simulationId: string): Promise<{ step: number; state: Uint8Array } | null> {
  return inTransaction(db, async (client) => {
    const head = await client.query<{ step: number; bytes: string; legacy: boolean }>(
      'SELECT step, bytes::text, state IS NOT NULL AS legacy FROM checkpoints WHERE "simulationId" = $1',
      [simulationId],
    );
    const row = head.rows[0];
    if (!row) return null;
    if (row.legacy) {
      const { rows } = await client.query<{ state: Buffer }>('SELECT state FROM checkpoints WHERE "simulationId" = $1', [simulationId]);
      return { step: row.step, state: new Uint8Array(rows[0].state) };
    }
    const state = new Uint8Array(Number(row.bytes));
    let o = 0;
    // One piece per query: at most one piece's text is in memory at a time.
    for (let index = 0; o < state.byteLength; index++) {
      const { rows } = await client.query<{ data: Buffer }>('SELECT data FROM checkpoint_chunks WHERE "simulationId" = $1 AND index = $2', [simulationId, index]);
      if (!rows[0]) throw new Error(`checkpoint of ${simulationId} is missing piece ${index}`);
      state.set(rows[0].data, o);
      o += rows[0].data.byteLength;
    }
    if (o !== state.byteLength) throw new Error(`checkpoint of ${simulationId} has ${o} bytes, not ${state.byteLength}`);
    return { step: row.step, state };
  });
}

export async function deleteCheckpoint(db: Database, simulationId: string): Promise<void> {
  await db.pool.query('DELETE FROM checkpoints WHERE "simulationId" = $1', [simulationId]);
}
