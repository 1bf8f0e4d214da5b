// What the API's recovery loop reads besides leases: sweeps left open after all their children ended
// (their aggregation job was lost with Redis, or ran while some children still ran).
import type { Database } from './client.ts';

/** Sweeps `queued` or `running` whose children have all ended (none queued or running). */
export async function settledOpenSweeps(db: Database): Promise<string[]> {
  const { rows } = await db.pool.query<{ id: string }>(
    `SELECT w.id FROM sweeps w
      WHERE w.status IN ('queued', 'running')
        AND EXISTS (SELECT 1 FROM simulations s WHERE s."sweepId" = w.id)
        AND NOT EXISTS (SELECT 1 FROM simulations s WHERE s."sweepId" = w.id AND s.status IN ('queued', 'running'))`,
  );
  return rows.map((r) => r.id);
}
