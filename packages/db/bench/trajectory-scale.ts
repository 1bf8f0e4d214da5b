// npm run bench:trajectory-scale: does trajectory storage degrade as trajectory_points grows to
// 10^8 points? In a database of its own (mfsim_bench_scale, created and dropped here), it fills the
// table with SQL (simulations of 10 replicas x 5,000 recorded steps = 50,000 points each), and at
// 10^6, 10^7 and 10^8 points measures the downsampled query (the dashboard's chart read: 500 points
// of one simulation, as GET .../trajectory?maxPoints=500 runs it) p50/p99 over random simulations,
// and the worker's write rate (100,000 points in chunks of 10,000 into a new simulation).
// Env: MFSIM_BENCH_POINTS (default 1e8; lowered to what the disk holds), MFSIM_BENCH_KEEP=1 keeps
// the database, DATABASE_URL's server (default local) is used with the database name replaced.
import { statfsSync } from 'node:fs';
import { specSchema } from '@mfsim/contracts';
import { connectDatabase, createSimulation, writeTrajectoryPoints, type Database, type PointRow } from '../src/index.ts';
import { applyMigrations } from '../src/migrate.ts';
import { readTrajectoryDownsampled } from '../src/trajectory-queries.ts';

const NAME = 'mfsim_bench_scale';
const REPLICAS = 10;
const STEPS = 5_000;
const PER_SIM = REPLICAS * STEPS;
/** Bytes per stored point, measured here: heap ~80, primary key ~45, WAL and slack while loading. */
const BYTES_PER_POINT = 200;

const serverUrl = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const adminUrl = new URL(serverUrl); adminUrl.pathname = '/postgres';
const benchUrl = new URL(serverUrl); benchUrl.pathname = `/${NAME}`;
const admin = connectDatabase({ url: adminUrl.toString(), max: 1 });

const dataDir = (await admin.pool.query<{ d: string }>('SELECT current_setting($1) AS d', ['data_directory'])).rows[0].d;
const fs = statfsSync(dataDir);
const freeBytes = fs.bavail * fs.bsize;
let target = Number(process.env.MFSIM_BENCH_POINTS ?? 1e8);
const fits = Math.floor(freeBytes * 0.8 / BYTES_PER_POINT);
console.log(`free disk at ${dataDir}: ${(freeBytes / 1e9).toFixed(1)} GB; ${target.toExponential(0)} points need about ${(target * BYTES_PER_POINT / 1e9).toFixed(1)} GB`);
if (target > fits) {
  target = 10 ** Math.floor(Math.log10(fits));
  console.log(`not enough disk for the asked size: going to ${target.toExponential(0)} points instead`);
}

await admin.pool.query(`DROP DATABASE IF EXISTS ${NAME}`);
await admin.pool.query(`CREATE DATABASE ${NAME}`);
let db: Database | undefined;
try {
  await applyMigrations(benchUrl.toString(), { log: () => {} });
  db = connectDatabase({ url: benchUrl.toString(), max: 2 });
  const spec = specSchema.parse({
    name: 'bench:trajectory-scale', seed: 1, replicas: REPLICAS,
    inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 2 },
    student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: STEPS },
  });
  const filled: string[] = [];

  /**
   * Adds simulations with their points (one INSERT ... SELECT per 100 simulations) up to `points`.
   * A large fill goes in without the primary key, which is built again afterwards (one sort instead
   * of 10^8 index insertions: hours on this loaded machine otherwise); the measurements after it see
   * the same table and index as a table grown row by row, less its index bloat.
   */
  async function fillTo(points: number) {
    const bulk = points - filled.length * PER_SIM > 5e6;
    if (bulk) await db!.pool.query('ALTER TABLE trajectory_points DROP CONSTRAINT trajectory_points_by_replica_step');
    while (filled.length * PER_SIM < points) {
      const batch: string[] = [];
      while (batch.length < 100 && (filled.length + batch.length) * PER_SIM < points) {
        batch.push((await createSimulation(db!, { spec, seed: 1, totalSteps: STEPS })).id);
      }
      await db!.pool.query(
        `INSERT INTO trajectory_points ("simulationId", replica, step, time, "trainLoss", "testLoss", "testError")
         SELECT s.id, r, st, st * 0.1, exp(-st / 1500.0) + r * 1e-3, exp(-st / 1500.0), NULL
           FROM unnest($1::uuid[]) AS s(id), generate_series(0, ${REPLICAS - 1}) AS r, generate_series(0, ${STEPS - 1}) AS st`,
        [batch],
      );
      filled.push(...batch);
      if (bulk) console.log(`  ${(filled.length * PER_SIM).toExponential(2)} points written`);
    }
    if (bulk) {
      const c = await db!.pool.connect();
      try {
        await c.query(`SET maintenance_work_mem = '1GB'`);
        await c.query('ALTER TABLE trajectory_points ADD CONSTRAINT trajectory_points_by_replica_step PRIMARY KEY ("simulationId", replica, step)');
      } finally {
        c.release();
      }
    }
    await db!.pool.query('VACUUM ANALYZE trajectory_points');
  }

  async function measure(points: number) {
    const t0 = performance.now();
    await fillTo(points);
    const fillSeconds = (performance.now() - t0) / 1000;
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const id = filled[Math.floor(Math.random() * filled.length)];
      const q0 = performance.now();
      const rows = await readTrajectoryDownsampled(db!, id, {}, 500);
      times.push(performance.now() - q0);
      if (rows.length === 0) throw new Error('the downsampled query returned nothing');
    }
    times.sort((a, b) => a - b);
    const sim = await createSimulation(db!, { spec, seed: 1, totalSteps: STEPS });
    const w0 = performance.now();
    for (let c = 0; c < 10; c++) {
      const chunk: PointRow[] = [];
      for (let r = 0; r < REPLICAS; r++) {
        for (let s = c * 1000; s < (c + 1) * 1000; s++) chunk.push({ replica: r, step: s, time: s * 0.1, trainLoss: Math.exp(-s / 1500), testLoss: Math.exp(-s / 1500), testError: null });
      }
      await writeTrajectoryPoints(db!, sim.id, chunk);
    }
    const writeRate = 100_000 / ((performance.now() - w0) / 1000);
    const size = (await db!.pool.query<{ s: string }>(`SELECT pg_size_pretty(pg_total_relation_size('trajectory_points')) AS s`)).rows[0].s;
    console.log(
      `${(filled.length * PER_SIM).toExponential(0)} points (${size}, filled in ${fillSeconds.toFixed(0)} s): ` +
      `downsampled query p50 ${times[99].toFixed(1)} ms, p99 ${times[197].toFixed(1)} ms; write ${Math.round(writeRate).toLocaleString('en')} points/s`,
    );
  }

  for (const points of [1e6, 1e7, 1e8, 1e9].filter((p) => p <= target)) await measure(points);
} finally {
  await db?.close();
  if (process.env.MFSIM_BENCH_KEEP !== '1') await admin.pool.query(`DROP DATABASE IF EXISTS ${NAME} WITH (FORCE)`);
  await admin.close();
}
