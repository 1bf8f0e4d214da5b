// npm run bench:api: requests/s and latency p50/p99 at 32 connections, next to a bare Fastify route.
// The API (and the bare route) run in this process, the load in another (bench/load.mjs).
// Uses DATABASE_URL / REDIS_URL (default: the local servers); removes what it wrote at the end.
import Fastify from 'fastify';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type autocannon from 'autocannon';
import { createSimulation, markFinished, writeTrajectoryPoints, type PointRow } from '@mfsim/db';
import { specSchema } from '@mfsim/contracts';
import { buildApp } from '../src/app.ts';
import { apiConfig } from '../src/config.ts';
import { openApiDeps } from '../src/services.ts';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 32;
const LOAD = new URL('./load.mjs', import.meta.url).pathname;
const execFileP = promisify(execFile);
const deps = openApiDeps(apiConfig());
const app = await buildApp({ deps, auth: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const bare = Fastify();
bare.get('/bare', async () => ({ ok: true }));
await bare.listen({ port: 0, host: '127.0.0.1' });
const base = (s: { server: { address(): unknown } }) => `http://127.0.0.1:${(s.server.address() as { port: number }).port}`;

const spec = specSchema.parse({
  name: 'bench', tags: ['bench'], seed: 1, replicas: 1, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
  student: { unit: 'tanh', width: 16 }, training: { dynamics: 'sgd', batchSize: 64, dt: 0.01, steps: 100_000 }, record: { every: 1, testSize: 64, probes: 2 },
  resources: { gpu: 'no' },
});
const pointsOf = (from: number, to: number): PointRow[] => {
  const points: PointRow[] = [];
  for (let s = from; s < to; s++) points.push({ replica: 0, step: s, time: s * 0.01, trainLoss: Math.exp(-s / 3e4) + 0.01 * Math.sin(s), testLoss: Math.exp(-s / 3e4) + 0.01 * Math.cos(s), testError: null });
  return points;
};
async function simulationWithPoints(status: 'completed' | 'running', upTo = 100_000) {
  const row = await createSimulation(deps.db, { spec, seed: 1, totalSteps: 100_000 });
  for (let from = 0; from < upTo; from += 20_000) await writeTrajectoryPoints(deps.db, row.id, pointsOf(from, Math.min(from + 20_000, upTo)));
  if (status === 'completed') await markFinished(deps.db, row.id, { status: 'completed', stepsDone: upTo });
  else await deps.db.prisma.simulation.update({ where: { id: row.id }, data: { status: 'running', stepsDone: upTo } });
  return row.id;
}

/** Plays a worker on a running simulation: a 1,000-point chunk, then stepsDone, once a second. */
function advanceEverySecond(id: string, from: number) {
  let step = from;
  const timer = setInterval(async () => {
    await writeTrajectoryPoints(deps.db, id, pointsOf(step, step + 1_000));
    step += 1_000;
    await deps.db.prisma.simulation.update({ where: { id }, data: { stepsDone: step } });
  }, 1_000);
  return () => clearInterval(timer);
}
const finished = await simulationWithPoints('completed');
const running = await simulationWithPoints('running', 90_000);
await deps.db.pool.query('ANALYZE trajectory_points');

/** Load from a child process (bench/load.mjs): the load generator must not share this event loop. */
async function run(title: string, opts: autocannon.Options) {
  const { stdout } = await execFileP(process.execPath, [LOAD, JSON.stringify({ connections: CONNECTIONS, duration: DURATION, ...opts })], { maxBuffer: 1 << 20 });
  const r = JSON.parse(stdout) as { average: number; p50: number; p99: number; non2xx: number; errors: number; timeouts: number; bad: Record<string, { count: number; sample: string }> };
  console.log(`${title.padEnd(72)} ${r.average.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   non-2xx ${r.non2xx}${r.errors + r.timeouts ? `, errors ${r.errors}, timeouts ${r.timeouts}` : ''}`);
  // A failure says what it was, never lost in a total.
  for (const [status, { count, sample }] of Object.entries(r.bad)) console.log(`    ${count} x ${status}: ${sample}`);
}

const api = base(app);
console.log(`${CONNECTIONS} connections, ${DURATION} s each`);
await run('bare Fastify route', { url: `${base(bare)}/bare` });
await run('GET /v1/simulations/{id}', { url: `${api}/v1/simulations/${finished}` });
await run('GET trajectory 100k -> maxPoints=1000 (finished: cached)', { url: `${api}/v1/simulations/${finished}/trajectory?maxPoints=1000` });
const stopAdvancing = advanceEverySecond(running, 90_000);
await run('GET trajectory 90-95k -> maxPoints=1000 (running: a chunk lands every second)', { url: `${api}/v1/simulations/${running}/trajectory?maxPoints=1000` });
stopAdvancing();
await run('POST /v1/simulations', {
  url: `${api}/v1/simulations`, method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ ...spec, name: 'bench post', training: { ...spec.training, steps: 100 } }),
});

// Clean up: the bench's rows and the jobs its POSTs queued.
const rows = await deps.db.prisma.simulation.findMany({ where: { tags: { has: 'bench' } }, select: { id: true } });
for (const { id } of rows) {
  for (const q of Object.values(deps.queues)) await (await q.getJob(id))?.remove().catch(() => {});
}
await deps.db.prisma.simulation.deleteMany({ where: { tags: { has: 'bench' } } });
await app.close();
await bare.close();
await deps.close();
