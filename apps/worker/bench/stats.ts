// npm run bench:stats: aggregating a sweep of 8 widths x 32 replicas x 200 recorded times x 64
// probes, from Postgres to stored statistics (target: under 2 s). Synthetic records are written
// first; only the aggregation (read, statistics, bootstrap, write, mark finished) is timed, three
// times. Then where the time goes: migrations (run here first, not part of the aggregation), the
// reads, each part of the statistics run on its own over the same records, and the writes.
// Wall-clock and CPU milliseconds are both printed: on a shared machine the wall clock also counts
// other processes' time. Uses DATABASE_URL (default: the local postgres database).
import { specSchema } from '@mfsim/contracts';
import {
  connectDatabase, createSweep, deleteSweep, markFinished, readStatisticsInputs, sweepChildren, writeProbeOutputs,
  writeSimulationStatistics, writeTrajectoryPoints, type PointRow,
} from '@mfsim/db';
import {
  aggregateSweep, bootstrapMeans, cltFluctuation, createRandom, fitFiniteWidthCorrection, mixSeed, powerLawFit,
  prepareWidths, saturatingFit, summarizeReplicas, type SimulationRecords,
} from '@mfsim/stats';
import { applyMigrations, DEFAULT_DATABASE_URL } from '../../../packages/db/src/migrate.ts';
import { aggregateStoredSweep } from '../src/aggregate-sweep.ts';

const WIDTHS = [8, 16, 32, 64, 128, 256, 512, 1024];
const R = 32;
const T = 200;
const PROBES = 64;

/** Wall and CPU milliseconds of fn. */
async function timed<T>(fn: () => T | Promise<T>): Promise<{ value: T; wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { value, wall, cpu: (c.user + c.system) / 1000 };
}
const ms = (x: { wall: number; cpu: number }) => `${x.wall.toFixed(0).padStart(6)} ms wall ${x.cpu.toFixed(0).padStart(6)} ms cpu`;

const migrate = await timed(() => applyMigrations(process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL));
console.log(`migrations (${migrate.value.applied.length} applied): ${ms(migrate)}  (before the benchmark, not part of the aggregation)`);

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

  const runs: { wall: number; cpu: number }[] = [];
  for (let i = 0; i < 3; i++) {
    const run = await timed(() => aggregateStoredSweep({ db, log: () => {} }, sweep.id));
    runs.push(run);
    if (i === 0) console.log(`stored ${run.value?.rows} scaling rows and ${WIDTHS.length * T} per-width rows; partial: ${run.value?.partial}`);
  }
  console.log(
    `aggregation from Postgres to stored statistics: ${runs.map((r) => (r.wall / 1000).toFixed(2)).join(' s, ')} s ` +
      `(CPU ${runs.map((r) => (r.cpu / 1000).toFixed(2)).join(' s, ')} s; target: under 2 s)`,
  );

  // Where the time goes: each part on its own, over the same stored records.
  const children = await sweepChildren(db, sweep.id);
  const read = await timed(() => Promise.all(children.map((c) => readStatisticsInputs(db, c.id, c.replicas))));
  const records = read.value;
  const widthRows = await timed(() => {
    for (let w = 0; w < records.length; w++) {
      const rec = records[w];
      for (let t = 0; t < rec.steps.length; t++) {
        summarizeReplicas(Float64Array.from(rec.testLosses, (row) => row[t] ?? NaN));
        cltFluctuation(rec.probeOutputs[t]!, R, children[w].width);
      }
    }
  });
  const prepared = records[0].steps.map((_, t) =>
    prepareWidths(children.map((c, w) => ({ width: c.width, losses: records[w].testLosses.map((row) => row[t]) }))));
  const boots: Float64Array[] = [];
  const bootstrap = await timed(() => {
    prepared.forEach((p, t) => boots.push(bootstrapMeans(p.samples, true, 1000, mixSeed(1, records[0].steps[t]))));
  });
  const powerLaw = await timed(() => prepared.forEach((p, t) => powerLawFit(p, boots[t], { joint: true, resamplesRequested: 1000 })));
  const saturating = await timed(() => prepared.forEach((p, t) => saturatingFit(p, boots[t], { resamples: 60 })));
  const finiteWidth = await timed(() => prepared.forEach((p) =>
    fitFiniteWidthCorrection(p.points.map((q) => ({ width: q.width, mean: q.meanLoss, standardError: q.standardError })))));
  const whole = await timed(() => aggregateSweep(
    children.map((c, w) => ({ width: c.width, records: records[w] as SimulationRecords })),
    { seed: 1, sharedSeeds: true },
  ));
  const write = await timed(() => writeSimulationStatistics(db, children.map((c) => ({
    simulationId: c.id,
    rows: whole.value.rows.filter((r) => r.width === c.width).map(({ width: _w, ...row }) => row),
  }))));
  console.log('where the time goes (each part run on its own, same records):');
  console.log(`  read records (${children.length} simulations)       ${ms(read)}`);
  console.log(`  per-width rows (CLT, kurtosis, 4-point)   ${ms(widthRows)}`);
  console.log(`  joint bootstrap (1000 resamples x ${T})    ${ms(bootstrap)}`);
  console.log(`  power-law fits and intervals              ${ms(powerLaw)}`);
  console.log(`  saturating fits (60 resamples each)       ${ms(saturating)}`);
  console.log(`  L_inf + a/n fits                          ${ms(finiteWidth)}`);
  console.log(`  all statistics (aggregateSweep)           ${ms(whole)}`);
  console.log(`  write per-width rows (one statement)      ${ms(write)}`);
} finally {
  await deleteSweep(db, sweep.id);
  await db.close();
}
