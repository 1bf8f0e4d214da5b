// npm run bench:storage: the trajectory write rate, in points per second, for a 100k-point write
// (in chunks as the worker writes them: one INSERT ... SELECT FROM unnest per chunk).
// Uses a scratch simulation on DATABASE_URL (default: local postgres) and deletes it afterwards.
import { connectDatabase, createSimulation, deleteSimulation, writeTrajectoryPoints, type PointRow } from '../src/index.ts';
import { specSchema } from '@mfsim/contracts';

const TOTAL = 100_000;
const db = connectDatabase();
const spec = specSchema.parse({
  name: 'bench:storage scratch', seed: 1, replicas: 100,
  inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 2 },
  student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 1000 },
});

function points(replicas: number, fromStep: number, steps: number): PointRow[] {
  const out: PointRow[] = [];
  for (let r = 0; r < replicas; r++) {
    for (let s = fromStep; s < fromStep + steps; s++) {
      out.push({ replica: r, step: s, time: s * 0.1, trainLoss: Math.exp(-s / 300) + r * 1e-3, testLoss: Math.exp(-s / 300), testError: null });
    }
  }
  return out;
}

for (const chunkPoints of [100_000, 10_000, 1_000]) {
  const sim = await createSimulation(db, { spec, seed: 1, totalSteps: 1000 });
  const replicas = 100;
  const stepsPerChunk = chunkPoints / replicas;
  const chunks = Array.from({ length: TOTAL / chunkPoints }, (_, i) => points(replicas, i * stepsPerChunk, stepsPerChunk));
  const t0 = performance.now();
  for (const chunk of chunks) await writeTrajectoryPoints(db, sim.id, chunk);
  const seconds = (performance.now() - t0) / 1000;
  console.log(
    `${TOTAL} points in chunks of ${chunkPoints}: ${seconds.toFixed(3)} s, ${Math.round(TOTAL / seconds).toLocaleString('en')} points/s (target 100,000)`,
  );
  await deleteSimulation(db, sim.id);
}
await db.close();
