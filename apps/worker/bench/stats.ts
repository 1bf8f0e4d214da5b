// npm run bench:stats: aggregating a sweep of 8 widths x 32 replicas x 200 recorded times x 64
// probes, from Postgres to stored statistics (target: under 2 s). Synthetic records are written
// first; only the aggregation (read, statistics, bootstrap, write, mark finished) is timed.
// Uses DATABASE_URL (default: the local postgres database, migrated by npm start / npm run migrate).
import { specSchema } from '@mfsim/contracts';
import { connectDatabase, createSweep, deleteSweep, markFinished, writeProbeOutputs, writeTrajectoryPoints, type PointRow } from '@mfsim/db';
import { createRandom } from '@mfsim/stats';
import { aggregateStoredSweep } from '../src/aggregate-sweep.ts';

const WIDTHS = [8, 16, 32, 64, 128, 256, 512, 1024];
const R = 32;
const T = 200;
const PROBES = 64;

const db = connectDatabase();
const rng = createRandom(1);
const base = {
  seed: 1, replicas: R, inputs: { kind: 'sphere', d: 10 }, target: { kind: 'p-spin', p: 3 },
  student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 256, dt: 0.1, steps: T * 10 - 10 },
  record: { every: 10, testSize: 1024, probes: PROBES },
};
const points = WIDTHS.map((width) => ({
  point: { 'student.width': width },
  spec: specSchema.parse({ ...base, student: { ...base.student, width } }),
}));
const { sweep, childIds } = await createSweep(db, { base, grid: { 'student.width': WIDTHS }, replicas: R, seed: 1, points });

try {
  const t0 = performance.now();
  for (let w = 0; w < WIDTHS.length; w++) {
    const n = WIDTHS[w];
    const rows: PointRow[] = [];
    const probes = [];
    for (let t = 0; t < T; t++) {
      // loss ~ 0.1 + 1/n with replica noise of order n^-1/2; outputs with fluctuations n^-1/2.
      for (let r = 0; r < R; r++) {
        const loss = (0.1 * Math.exp(-t / 50) + 1 / n) * (1 + 0.3 * rng.normal() / Math.sqrt(n));
        rows.push({ replica: r, step: t * 10, time: t, trainLoss: loss, testLoss: loss, testError: null });
      }
      const values = new Float32Array(R * PROBES);
      for (let i = 0; i < values.length; i++) values[i] = Math.sin(i % PROBES) + rng.normal() / Math.sqrt(n);
      probes.push({ step: t * 10, values });
    }
    await writeTrajectoryPoints(db, childIds[w], rows);
    await writeProbeOutputs(db, childIds[w], probes);
    await markFinished(db, childIds[w], { status: 'completed', stepsDone: T * 10 });
  }
  console.log(`wrote ${WIDTHS.length} widths x ${R} replicas x ${T} times x ${PROBES} probes in ${((performance.now() - t0) / 1000).toFixed(2)} s`);

  const runs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const result = await aggregateStoredSweep({ db, log: () => {} }, sweep.id);
    runs.push((performance.now() - start) / 1000);
    if (i === 0) console.log(`stored ${result?.rows} scaling rows and ${WIDTHS.length * T} per-width rows; partial: ${result?.partial}`);
  }
  console.log(`aggregation from Postgres to stored statistics: ${runs.map((s) => s.toFixed(2)).join(' s, ')} s (target: under 2 s)`);
} finally {
  await deleteSweep(db, sweep.id);
  await db.close();
}
