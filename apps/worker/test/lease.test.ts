// A worker's lease on its running simulation (src/lease.ts) against the real Postgres: a worker
// whose run another worker took over must notice and stop, also when the takeover came before its
// first renewal (a loaded machine renews late; the old worker must not write on beside the new one).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specSchema } from '@mfsim/contracts';
import { claimRun, connectDatabase, createSimulation, markCancelled, type Database } from '@mfsim/db';
import { holdLease } from '../src/lease.ts';

let db: Database;
const spec = specSchema.parse({
  seed: 3, replicas: 1, inputs: { kind: 'gaussian', d: 2 }, target: { kind: 'teacher', unit: 'tanh', width: 2 },
  student: { unit: 'tanh', width: 4 }, training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 10 },
});
const run = (owner: string) => ({ owner, leaseSeconds: 60, backend: 'reference', device: 'test' });
const quiet = () => {};

/** Polls `check` every 50 ms until it is true; false after `ms`. */
async function becomes(check: () => boolean, ms: number): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; ) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}

/**
 * `db` for the lease, counting the queries of its renewals as Postgres answers them: `renewals`
 * (renewLease's UPDATE) and `lookups` (the row read after a renewal that found the lease gone). A
 * count is taken before the lease's own code goes on, so once a test's poll sees it, the lease has
 * acted on that answer.
 */
function counted(db: Database) {
  const answered = { renewals: 0, lookups: 0 };
  const query = (async (...args: unknown[]) => {
    const result = await (db.pool.query as (...a: unknown[]) => Promise<unknown>)(...args);
    const [q] = args;
    if (typeof q === 'string' && q.includes('SET "leaseExpiresAt" = now()')) answered.renewals++;
    if (typeof q === 'object' && q !== null && (q as { name?: string }).name === 'find-simulation') answered.lookups++;
    return result;
  }) as Database['pool']['query'];
  const pool = new Proxy(db.pool, { get: (target, key) => (key === 'query' ? query : Reflect.get(target, key)) });
  return { db: { ...db, pool }, answered };
}

beforeAll(() => {
  db = connectDatabase();
});
afterAll(async () => db.close());

describe('worker lease', () => {
  it('is lost when another worker takes the run over before the first renewal', async () => {
    const { id } = await createSimulation(db, { spec, seed: 3, totalSteps: 10 });
    expect(await claimRun(db, id, run('worker-a'))).toMatchObject({ previousOwner: null });
    const lease = holdLease(db, id, 'worker-a', 4, quiet); // renewed every second
    lease.claimed();
    try {
      expect(await claimRun(db, id, run('worker-b'))).toMatchObject({ previousOwner: 'worker-a' });
      // Renewed every second; a generous deadline for Postgres on a loaded 2-core machine.
      expect(await becomes(lease.lost, 120_000)).toBe(true);
    } finally {
      await lease.release();
    }
  }, 180_000);

  it('is kept while renewals succeed, and a cancel is not a loss', async () => {
    const { id, project } = await createSimulation(db, { spec, seed: 3, totalSteps: 10 });
    await claimRun(db, id, run('worker-a'));
    const { db: leaseDb, answered } = counted(db);
    const lease = holdLease(leaseDb, id, 'worker-a', 0.4, quiet); // renewed every 100 ms
    lease.claimed();
    try {
      // Counted renewals rather than a second of wall time (a loaded machine may renew late or not
      // at all in a second): several renewals answered, none lost the lease.
      expect(await becomes(() => answered.renewals >= 3, 120_000)).toBe(true);
      expect(answered.lookups).toBe(0);
      expect(lease.lost()).toBe(false);
      expect(await markCancelled(db, id, project)).not.toBeNull();
      // Renewals now find the lease gone and read the row: cancelled, so not a loss.
      expect(await becomes(() => answered.lookups >= 2, 120_000)).toBe(true);
      expect(lease.lost()).toBe(false);
    } finally {
      await lease.release();
    }
  }, 300_000);
});
