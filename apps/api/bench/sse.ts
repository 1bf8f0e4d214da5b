// npm run bench:sse: the cost of Server-Sent Events on one running simulation, with 1 and with
// 1000 open streams: Postgres transactions/s (pg_stat_database of this database, every session),
// the API's CPU and its Redis commands/s. The API runs in this process; the streams' clients in
// another (bench/sse-clients.mjs). This process also plays the worker: one progress event every
// 250 ms in the simulation's Redis stream. Uses DATABASE_URL / REDIS_URL; removes what it wrote.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { specSchema } from '@mfsim/contracts';
import { appendEvent, simulationEventsKey } from '@mfsim/queue';
import { buildApp } from '../src/app.ts';
import { apiConfig } from '../src/config.ts';
import { openApiDeps } from '../src/services.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const COUNTS = (process.env.BENCH_STREAMS ?? '1,1000').split(',').map(Number);
const CLIENTS = new URL('./sse-clients.mjs', import.meta.url).pathname;

const deps = openApiDeps(apiConfig());
let redisCommands = 0;
const send = deps.redis.sendCommand.bind(deps.redis);
deps.redis.sendCommand = ((...args: Parameters<typeof send>) => {
  redisCommands++;
  return send(...args);
}) as typeof send;
const app = await buildApp({ deps, auth: false, security: { sseStreamsTotal: 100_000 } });
await app.listen({ port: 0, host: '127.0.0.1' });
const port = (app.server.address() as { port: number }).port;

const spec = specSchema.parse({
  name: 'bench sse', seed: 1, replicas: 1, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
  student: { unit: 'tanh', width: 16 }, training: { dynamics: 'sgd', batchSize: 64, dt: 0.01, steps: 1_000_000 }, record: { every: 1000, testSize: 64, probes: 2 },
});
// Written in SQL: the bench needs only the row the stream route reads.
const row = (await deps.db.pool.query<{ id: string }>(
  `INSERT INTO simulations (id, name, tags, spec, seed, replicas, width, "totalSteps", status)
   VALUES (gen_random_uuid(), 'bench sse', '{}', $1::jsonb, 1, 1, 16, 1000000, 'running') RETURNING id`, [JSON.stringify(spec)],
)).rows[0];
let step = 0;
const worker = setInterval(() => {
  step += 1000;
  void appendEvent(deps.redis, simulationEventsKey(row.id), 'progress', { simulationId: row.id, stepsDone: step, totalSteps: 1_000_000, progress: step / 1e6 });
}, 250);

const transactions = async () =>
  Number((await deps.db.pool.query<{ n: string }>('SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()')).rows[0].n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function measure(streams: number) {
  const clients: ChildProcessWithoutNullStreams = spawn(process.execPath, [CLIENTS, `http://127.0.0.1:${port}/v1/simulations/${row.id}/events`, String(streams)]);
  let out = '';
  clients.stdout.on('data', (c: Buffer) => (out += c));
  while (!/open \d+/.test(out)) await sleep(100);
  const opened = /open (\d+) failed (\d+)/.exec(out)!;
  await sleep(12_000); // past Postgres' 10 s flush of idle sessions' statistics, and the opening
  const [tx0, cpu0, redis0, t0] = [await transactions(), process.cpuUsage(), redisCommands, performance.now()];
  await sleep(SECONDS * 1000);
  const [tx1, cpu1, redis1, t1] = [await transactions(), process.cpuUsage(), redisCommands, performance.now()];
  clients.kill('SIGTERM');
  await new Promise((r) => clients.once('exit', r));
  const received = JSON.parse(out.trim().split('\n').pop()!) as { min: number; max: number };
  const s = (t1 - t0) / 1000;
  const cpu = (cpu1.user - cpu0.user + cpu1.system - cpu0.system) / 1e6 / s;
  return { streams, open: Number(opened[1]), failed: Number(opened[2]), pgTxPerSec: (tx1 - tx0) / s, cpuPercent: 100 * cpu, redisPerSec: (redis1 - redis0) / s, events: received };
}

console.log(`one running simulation, 4 progress events/s, ${SECONDS} s per measurement`);
console.log('streams  open  Postgres tx/s  API CPU %  API Redis cmds/s  events per stream (min-max)');
for (const n of COUNTS) {
  const r = await measure(n);
  console.log(`${String(r.streams).padStart(7)}  ${String(r.open).padStart(4)}  ${r.pgTxPerSec.toFixed(1).padStart(13)}  ${r.cpuPercent.toFixed(1).padStart(9)}  ${r.redisPerSec.toFixed(1).padStart(16)}  ${r.events.min}-${r.events.max}`);
  await sleep(1500);
}
clearInterval(worker);
await deps.redis.del(simulationEventsKey(row.id));
await deps.db.pool.query('DELETE FROM simulations WHERE id = $1', [row.id]);
await app.close();
await deps.close();
