// Birth-death counts: stored per recorded step, read back in step order, rewritten idempotently on a replayed chunk.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specSchema } from '@mfsim/contracts';
import { connectDatabase, createSimulation, readBirthDeath, writeBirthDeath, type Database } from '../src/index.ts';

let db: Database;
let id: string;
const spec = specSchema.parse({
  seed: 3, replicas: 2, inputs: { kind: 'gaussian', d: 2 }, target: { kind: 'teacher', unit: 'tanh', width: 2 },
  student: { unit: 'tanh', width: 4 }, training: { dynamics: 'gd', trainSize: 8, dt: 0.1, steps: 10, birthDeath: { rate: 1 } },
});

beforeAll(async () => {
  db = connectDatabase();
  id = (await createSimulation(db, { spec, seed: 3, totalSteps: 10 })).id;
});
afterAll(async () => db.close());

describe('birth-death counts', () => {
  it('round-trips per step and per replica, and a replayed chunk replaces its rows', async () => {
    await writeBirthDeath(db, id, [{ step: 10, births: [0, 2], deaths: [1, 0] }, { step: 5, births: [3, 0], deaths: [0, 4] }]);
    await writeBirthDeath(db, id, [{ step: 10, births: [7, 2], deaths: [1, 0] }]);
    expect(await readBirthDeath(db, id)).toEqual([
      { step: 5, births: [3, 0], deaths: [0, 4] },
      { step: 10, births: [7, 2], deaths: [1, 0] },
    ]);
  });
});
