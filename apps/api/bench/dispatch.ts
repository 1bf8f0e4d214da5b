// npm run bench:dispatch: what it costs to move a tiny simulation (4 steps) through the service:
// HTTP submit -> Postgres row -> BullMQ job -> a worker process -> engine -> trajectory and status
// writes -> completed. With 1, 2, 4 and 8 worker processes: jobs/s, and where a job's time goes
// (waiting in the queue, the worker's run of it, and the worker's time between runs). The dispatch
// overhead per job is one worker's time per job less the engine's own time for the same spec (the
// limits prediction every run's end needs counts in it; its time alone is printed too).
// Then two sweeps of 500 tiny children each (a sweep holds at most 512), one after the other.
// Round trips: every worker process and the API (this process) count their Postgres statements and
// Redis commands (round-trips.ts; the workers start from counted-worker.ts); printed per job, with the kinds per job.
// BENCH_WORKERS (default 1,2,4,8), BENCH_JOBS_PER_WORKER (40), BENCH_SWEEP_CHILDREN (500 per sweep; 0: no sweeps),
// BENCH_WORKER_NODE_ARGS: node options for the worker processes, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof"
// (a profile per worker process and engine thread, written when the bench stops the workers).
// Runs on a Redis server of its own (a free port) and a database of its own (mfsim_bench_dispatch,
// created with createdb and dropped at the end) on DATABASE_URL's server (default: local).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@mfsim/test-servers';
import { specSchema } from '@mfsim/contracts';
import { simulate, selectKernel } from '@mfsim/engine';
import { buildApp } from '../src/app.ts';
import { openApiDeps } from '../src/services.ts';
import { roundTripCounts, type RoundTripCounts } from './round-trips.ts';
import { predictRunLimits } from '../../worker/src/engine/limits-prediction.ts';

const WORKER_COUNTS = (process.env.BENCH_WORKERS ?? '1,2,4,8').split(',').map(Number);
const JOBS_PER_WORKER = Number(process.env.BENCH_JOBS_PER_WORKER ?? 40);
const SWEEP_CHILDREN = Number(process.env.BENCH_SWEEP_CHILDREN ?? 500);
const WORKER_NODE_ARGS = (process.env.BENCH_WORKER_NODE_ARGS ?? '').split(' ').filter(Boolean);
const countsDir = mkdtempSync(join(tmpdir(), 'mfsim-round-trips-'));
const root = new URL('../../../', import.meta.url).pathname;

const server = new URL(process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres');
const dbName = 'mfsim_bench_dispatch';
const databaseUrl = Object.assign(new URL(server), { pathname: `/${dbName}` }).toString();
const pgArgs = ['-h', server.hostname, '-p', server.port || '5432', '-U', decodeURIComponent(server.username || 'postgres')];
const ok = (r: ReturnType<typeof spawnSync>, what: string) => {
  if (r.status !== 0) throw new Error(`${what} failed: ${r.stderr}`);
};

const tiny = {
  name: 'tiny', seed: 1, replicas: 1, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 2 },
  student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 8, dt: 0.1, steps: 4 },
  record: { every: 2, testSize: 16, probes: 2 }, resources: { gpu: 'no' },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
/** CPU milliseconds a process has used (user + system), from /proc (clock ticks of 10 ms). */
const cpuMs = (pid: number | undefined) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
};
const zero = (): RoundTripCounts => ({ pgStatements: 0, pgTransactions: 0, pgByKind: {}, redisCommands: 0, redisRoundTrips: 0, redisByCommand: {} });
const addKinds = (a: Record<string, number>, b: Record<string, number>, sign: number) => {
  for (const [k, v] of Object.entries(b)) a[k] = (a[k] ?? 0) + sign * v;
};
/** a + sign * b, field by field. */
function combine(a: RoundTripCounts, b: RoundTripCounts, sign = 1): RoundTripCounts {
  const out = JSON.parse(JSON.stringify(a)) as RoundTripCounts;
  out.pgStatements += sign * b.pgStatements;
  out.pgTransactions += sign * b.pgTransactions;
  out.redisCommands += sign * b.redisCommands;
  out.redisRoundTrips += sign * b.redisRoundTrips;
  addKinds(out.pgByKind, b.pgByKind, sign);
  addKinds(out.redisByCommand, b.redisByCommand, sign);
  return out;
}
/** The counts of one worker process so far (it writes them on SIGUSR2). */
async function processCounts(child: ChildProcess): Promise<RoundTripCounts> {
  const file = join(countsDir, `${child.pid}.json`);
  rmSync(file, { force: true });
  child.kill('SIGUSR2');
  for (let i = 0; i < 600 && !existsSync(file); i++) await sleep(50);
  await sleep(20); // written in one synchronous call; a short wait covers a reader between open and write
  return JSON.parse(readFileSync(file, 'utf8')) as RoundTripCounts;
}
const workerCounts = async () => (await Promise.all(workers.map(processCounts))).reduce((a, b) => combine(a, b), zero());
const perJob = (c: RoundTripCounts, jobs: number) =>
  `Postgres ${(c.pgStatements / jobs).toFixed(1)} statements (${(c.pgTransactions / jobs).toFixed(1)} BEGIN..COMMIT), ` +
  `Redis ${(c.redisCommands / jobs).toFixed(1)} commands in ${(c.redisRoundTrips / jobs).toFixed(1)} round trips`;
const kinds = (o: Record<string, number>, jobs: number) =>
  Object.entries(o).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(v / jobs).toFixed(2)}`).join(', ');
const apiCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** The engine alone on the tiny spec, in this process: ms per run, kernel set up included. */
async function engineMs(): Promise<{ ms: number; kernel: string }> {
  process.env.MFSIM_KERNEL_THREADS = '1';
  const choice = await selectKernel();
  const spec = specSchema.parse(tiny);
  const run1 = async () => {
    for await (const chunk of await simulate(spec, 1, { kernel: choice.kernel })) void chunk;
  };
  for (let i = 0; i < 5; i++) await run1();
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) await run1();
  return { ms: (performance.now() - t0) / 50, kernel: choice.kernel.name };
}

/** The limits prediction alone on the tiny spec (a worker makes it on its engine thread at each run's end): ms per run. */
function limitsMs(): number {
  const spec = specSchema.parse(tiny);
  for (let i = 0; i < 5; i++) predictRunLimits(spec, 1);
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) predictRunLimits(spec, 1);
  return (performance.now() - t0) / 50;
}

const redisPort = await freePort();
const redisServer = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
const redisUrl = `redis://127.0.0.1:${redisPort}`;
spawnSync('dropdb', [...pgArgs, '--if-exists', dbName]);
ok(spawnSync('createdb', [...pgArgs, dbName], { encoding: 'utf8' }), 'createdb');
ok(spawnSync('npx', ['tsx', 'packages/db/scripts/migrate.ts', 'deploy'], { cwd: root, encoding: 'utf8', env: { ...process.env, DATABASE_URL: databaseUrl } }), 'migrate');

const deps = openApiDeps({ databaseUrl, redisUrl, memoryBudgetBytes: 4 * 1024 ** 3 });
const app = await buildApp({ deps, auth: false, logger: { level: 'error' } });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const workers: ChildProcess[] = [];

async function post(path: string, body: unknown) {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (r.status !== 201) throw new Error(`POST ${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as { id: string; children?: { simulationId: string }[] };
}
const get = async (path: string) => (await (await fetch(`${base}${path}`)).json()) as Record<string, unknown>;
const finished = async () => {
  const c = await deps.queues.cpu.getJobCounts('completed', 'failed');
  return (c.completed ?? 0) + (c.failed ?? 0);
};

async function startWorkers(n: number) {
  const started: ChildProcess[] = [];
  while (workers.length < n) {
    workers.push(spawn(process.execPath, [...WORKER_NODE_ARGS, '--import', 'tsx', 'apps/api/bench/counted-worker.ts'], {
      cwd: root, stdio: 'ignore',
      env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, MFSIM_KERNEL_THREADS: '1', MFSIM_WORKER_KIND: 'cpu', MFSIM_ROUND_TRIPS_DIR: countsDir },
    }));
    started.push(workers[workers.length - 1]);
  }
  // A worker counts from its first import on (it writes its file then): asked for its counts before,
  // the signal would end it.
  for (const w of started) {
    for (let i = 0; !existsSync(join(countsDir, `${w.pid}.json`)); i++) {
      if (w.exitCode !== null || w.signalCode !== null || i > 6000) throw new Error(`worker ${w.pid} did not start`);
      await sleep(50);
    }
  }
  // Warm up: every worker has loaded its engine once it has taken a job, and a new worker's code is
  // compiled by V8 over its first few dozen jobs (measured with 40 jobs a worker and 2 warm-up jobs,
  // a freshly started worker took 2-3x the CPU per job of a warm one): 30 jobs per started worker.
  const before = await finished();
  const warmUp = 2 * n + 30 * started.length;
  for (let i = 0; i < warmUp; i++) await post('/v1/simulations', tiny);
  while ((await finished()) < before + warmUp) await sleep(50);
}

/** Submits `jobs` tiny simulations (6 requests in flight: the API allows 8 per key) and waits for all; returns the rows. */
async function round(jobs: number) {
  const before = await finished();
  const ids: string[] = [];
  const cpu0 = { api: apiCpuMs(), workers: mean(workers.map((w) => cpuMs(w.pid))) * workers.length, redis: cpuMs(redisServer.pid) };
  const trips0 = { api: roundTripCounts(), workers: await workerCounts() };
  const t0 = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: 6 }, async () => {
    while (next < jobs) {
      next++;
      ids.push((await post('/v1/simulations', tiny)).id);
    }
  }));
  const submitted = performance.now() - t0;
  const apiTrips = combine(roundTripCounts(), trips0.api, -1);
  while ((await finished()) < before + jobs) await sleep(20);
  const wall = performance.now() - t0;
  const cpu = {
    api: (apiCpuMs() - cpu0.api) / jobs,
    workers: (mean(workers.map((w) => cpuMs(w.pid))) * workers.length - cpu0.workers) / jobs,
    redis: (cpuMs(redisServer.pid) - cpu0.redis) / jobs,
  };
  const trips = { api: apiTrips, workers: combine(await workerCounts(), trips0.workers, -1) };
  const rows: Record<string, unknown>[] = [];
  for (const id of ids) rows.push(await get(`/v1/simulations/${id}`));
  return { wall, submitted, rows, cpu, trips };
}

try {
  const engine = await engineMs();
  console.log(`engine alone (${engine.kernel}, 1 thread): ${engine.ms.toFixed(1)} ms per tiny simulation (${tiny.training.steps} steps, ${tiny.replicas} replica)`);
  console.log(`limits prediction alone: ${limitsMs().toFixed(1)} ms per tiny simulation (a worker makes it on its engine thread while the last chunk is stored; part of the overhead below)`);
  console.log('workers  jobs  wall s  jobs/s  ms/job x workers  queue wait ms  run ms (start->finish)  engine in run ms  between runs ms  dispatch overhead ms/job');
  for (const n of WORKER_COUNTS) {
    await startWorkers(n);
    const jobs = JOBS_PER_WORKER * n;
    const { wall, rows, cpu, trips } = await round(jobs);
    const t = (r: Record<string, unknown>, k: string) => Date.parse(String(r[k]));
    const completed = rows.filter((r) => r.status === 'completed');
    const wait = mean(completed.map((r) => t(r, 'startedAt') - t(r, 'createdAt')));
    const run = mean(completed.map((r) => t(r, 'finishedAt') - t(r, 'startedAt')));
    const engineInRun = mean(completed.map((r) => 1000 * Number(r.runSeconds ?? 0)));
    const perJobWorker = (wall * n) / jobs; // a worker's time per job
    console.log(
      `${String(n).padStart(7)}  ${String(jobs).padStart(4)}  ${(wall / 1000).toFixed(1).padStart(6)}  ${(jobs / (wall / 1000)).toFixed(1).padStart(6)}` +
      `  ${perJobWorker.toFixed(1).padStart(16)}  ${wait.toFixed(0).padStart(13)}  ${run.toFixed(1).padStart(22)}  ${engineInRun.toFixed(1).padStart(16)}` +
      `  ${Math.max(0, perJobWorker - run).toFixed(1).padStart(15)}  ${(perJobWorker - engine.ms).toFixed(1).padStart(24)}` +
      `  CPU ms/job: API process (with this bench's client) ${cpu.api.toFixed(1)}, workers ${cpu.workers.toFixed(1)}, Redis ${cpu.redis.toFixed(1)}` +
      (completed.length < rows.length ? `  (not completed: ${rows.filter((r) => r.status !== 'completed').map((r) => `${r.status} ${String(r.error ?? '').slice(0, 80)}`).join('; ')})` : ''),
    );
    console.log(`         round trips per job: workers ${perJob(trips.workers, jobs)}; API submit ${perJob(trips.api, jobs)}`);
    if (n === WORKER_COUNTS[0]) {
      console.log(`         worker Postgres statements per job: ${kinds(trips.workers.pgByKind, jobs)}`);
      console.log(`         worker Redis commands per job: ${kinds(trips.workers.redisByCommand, jobs)}`);
      console.log(`         API submit Postgres statements per job: ${kinds(trips.api.pgByKind, jobs)}`);
      console.log(`         API submit Redis commands per job: ${kinds(trips.api.redisByCommand, jobs)}`);
    }
  }

  if (SWEEP_CHILDREN > 0) {
    const sweepTrips0 = { api: roundTripCounts(), workers: await workerCounts() };
    const t0 = performance.now();
    const grid = (k: number) => ({
      'student.width': Array.from({ length: Math.min(25, SWEEP_CHILDREN) }, (_, i) => 4 + i),
      'training.dt': Array.from({ length: Math.max(1, Math.round(SWEEP_CHILDREN / 25)) }, (_, i) => 0.05 + 0.01 * i + k * 0.001),
    });
    const sweeps = [];
    for (const k of [0, 1]) sweeps.push(await post('/v1/sweeps', { name: `bench ${k}`, base: tiny, grid: grid(k), replicas: 1 }));
    const submittedMs = performance.now() - t0;
    const sweepApiTrips = combine(roundTripCounts(), sweepTrips0.api, -1);
    const children = sweeps.reduce((a, x) => a + (x.children?.length ?? 0), 0);
    for (;;) {
      const s = await Promise.all(sweeps.map((x) => get(`/v1/sweeps/${x.id}`)));
      if (s.every((x) => x.status === 'completed' || x.status === 'cancelled')) break;
      await sleep(200);
    }
    const seconds = (performance.now() - t0) / 1000;
    const sweepWorkerTrips = combine(await workerCounts(), sweepTrips0.workers, -1);
    console.log(
      `2 sweeps x ${children / 2} tiny children on ${workers.length} workers: submitted in ${(submittedMs / 1000).toFixed(1)} s, ` +
      `all ${children} children run and both sweeps aggregated in ${seconds.toFixed(1)} s (target: 1000 children under 60 s)`,
    );
    console.log(`         round trips per child (aggregations included): workers ${perJob(sweepWorkerTrips, children)}; API submit ${perJob(sweepApiTrips, children)}`);
    console.log(`         worker Postgres statements per child: ${kinds(sweepWorkerTrips.pgByKind, children)}`);
    console.log(`         worker Redis commands per child: ${kinds(sweepWorkerTrips.redisByCommand, children)}`);
  }
} finally {
  for (const w of workers) w.kill('SIGTERM');
  await Promise.all(workers.map((w) => (w.exitCode !== null || w.signalCode !== null ? null : new Promise((r) => w.once('exit', r)))));
  await app.close();
  await deps.close();
  redisServer.kill('SIGTERM');
  spawnSync('dropdb', [...pgArgs, '--if-exists', '--force', dbName]);
  rmSync(countsDir, { recursive: true, force: true });
}
