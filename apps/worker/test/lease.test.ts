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
      expect(await becomes(lease.lost, 30_000)).toBe(true);
    } finally {
      await lease.release();
    }
  }, 60_000);

  it('is kept while renewals succeed, and a cancel is not a loss', async () => {
    const { id, project } = await createSimulation(db, { spec, seed: 3, totalSteps: 10 });
    await claimRun(db, id, run('worker-a'));
    const lease = holdLease(db, id, 'worker-a', 0.4, quiet); // renewed every 100 ms
    lease.claimed();
    try {
      expect(await becomes(lease.lost, 1_000)).toBe(false);
      expect(await markCancelled(db, id, project)).not.toBeNull();
      expect(await becomes(lease.lost, 1_000)).toBe(false);
    } finally {
      await lease.release();
    }
  }, 60_000);
});
