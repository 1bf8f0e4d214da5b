// npm run chaos: the integrity proof. Starts its own Postgres and Redis (throwaway, free ports), the
// API and workers as processes, submits a mix of runs and a sweep, and for a set time injects faults
// at random: kill -9 of a worker or of the API, SIGTERM of a worker, Postgres stopped for 30 to 60 s,
// Redis killed and restarted (AOF on with --aof, else no persistence). Then it waits for every run to
// end, runs each spec and seed again without faults, and compares trajectory digests. Prints faults
// injected, runs, completed identical, lost (not completed), corrupted (completed with another
// digest), duplicated (more simulations stored than submitted), and workers that exited on their own
// (each started again a second later, as `npm start` does).
// Options: --seconds=N (default 180) of faults, --workers=N (default 2), --runs=N (default 6), --aof,
// --outage=N (default 60): each Postgres outage lasts between N/2 and N seconds; --only=a,b draws the
// faults from these kinds only (kill-worker, term-worker, kill-api, postgres, redis).
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { applyMigrations } from '../../../packages/db/src/migrate.ts';
import { freePort, startThrowawayPostgres, startThrowawayRedis } from '@mfsim/test-servers';

const arg = (name: string, d: number) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? d);
const SECONDS = arg('seconds', 180);
const WORKERS = arg('workers', 2);
const RUNS = arg('runs', 6);
const AOF = process.argv.includes('--aof');
const OUTAGE = arg('outage', 60);
const root = fileURLToPath(new URL('../../../', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rand = (n: number) => Math.floor(Math.random() * n);
const log = (msg: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${msg}`);

const FAULT_KINDS: Record<string, string> = {
  'kill-worker': 'kill -9 worker', 'term-worker': 'SIGTERM worker', 'kill-api': 'kill -9 API', postgres: 'Postgres stopped', redis: 'Redis killed',
};
const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',').filter(Boolean);
const unknownKinds = (only ?? []).filter((k) => !(k in FAULT_KINDS));
if (unknownKinds.length) throw new Error(`--only: unknown fault kind ${unknownKinds.join(', ')} (kinds: ${Object.keys(FAULT_KINDS).join(', ')})`);
const KINDS = (only ?? Object.keys(FAULT_KINDS)).map((k) => FAULT_KINDS[k]);
const pg = await startThrowawayPostgres();
const redis = await startThrowawayRedis({ aof: AOF });
await applyMigrations(pg.url);
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
const env = {
  ...process.env, DATABASE_URL: pg.url, REDIS_URL: redis.url, PORT: String(port), HOST: '127.0.0.1',
  MFSIM_KERNEL: 'native', MFSIM_KERNEL_THREADS: '1', MFSIM_RECOVERY_SECONDS: '5', MFSIM_LEASE_SECONDS: '15',
  MFSIM_CHECKPOINT_SECONDS: '2', MFSIM_LOCK_DURATION_MS: '10000', MFSIM_STALLED_INTERVAL_MS: '5000', API_ADMIN_KEY: '',
};
const spawnNode = (script: string) => spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
let apiProc: ChildProcess = spawnNode('apps/api/src/main.ts');
// A worker that exits without being told to is counted, its last words logged, and started again
// a second later (as `npm start`'s supervisor does): a crash must show in the figures, not stall the run.
let unexpectedExits = 0;
let stopping = false;
const told = new WeakSet<ChildProcess>();
function spawnWorker(slot: number): ChildProcess {
  const child = spawnNode('apps/worker/src/main.ts');
  let tail = '';
  child.stderr?.on('data', (d: Buffer) => (tail = (tail + d.toString()).slice(-4000)));
  child.once('exit', (code, signal) => {
    if (told.has(child) || stopping) return;
    unexpectedExits++;
    log(`worker exited on its own (code ${code}, signal ${signal}): ${tail.trim().split('\n').filter(Boolean).slice(-12).join(' | ')}`);
    setTimeout(() => {
      if (!stopping && workers[slot] === child) workers[slot] = spawnWorker(slot);
    }, 1000);
  });
  return child;
}
const workers: ChildProcess[] = [];
for (let i = 0; i < WORKERS; i++) workers.push(spawnWorker(i));

/** The fields of the API's replies this script reads. */
interface Reply {
  id: string;
  status?: string;
  error?: string | null;
  spec?: Record<string, unknown>;
  trajectoryDigest?: string | null;
  children?: { simulationId: string }[];
}

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: Reply | null }> {
  try {
    const r = await fetch(base + path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    return { status: r.status, body: (await r.json().catch(() => null)) as Reply | null };
  } catch {
    return { status: 0, body: null };
  }
}
/** POST with an Idempotency-Key, retried until it gets a 2xx (the API may be down). */
async function submit(path: string, body: unknown): Promise<Reply> {
  const key = randomUUID();
  for (;;) {
    const r = await call('POST', path, body, { 'idempotency-key': key });
    if (r.status >= 200 && r.status < 300 && r.body) return r.body;
    if (r.status >= 400 && r.status < 500 && r.status !== 409 && r.status !== 429) throw new Error(`${path}: ${r.status} ${JSON.stringify(r.body)}`);
    await sleep(1000);
  }
}
const until = async (check: () => Promise<boolean>, what: string, ms = 600_000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await sleep(1000);
  }
};

const spec = (seed: number, steps: number) => ({
  name: `chaos ${seed}`, seed, replicas: 2, inputs: { kind: 'sphere', d: 10 }, target: { kind: 'p-spin', p: 3 },
  student: { unit: 'tanh', width: 256 }, training: { dynamics: 'sgd', batchSize: 256, dt: 0.5, steps }, record: { logPoints: 40, testSize: 256, probes: 4 },
});

await until(async () => (await call('GET', '/readyz')).status === 200, 'the API to be ready', 120_000);
const submitted: { id: string }[] = [];
for (let i = 0; i < RUNS; i++) {
  submitted.push({ id: (await submit('/v1/simulations', spec(100 + i, 4000 + 2000 * (i % 3)))).id });
}
const sweep = await submit('/v1/sweeps', { name: 'chaos sweep', replicas: 2, base: spec(7, 3000), grid: { 'student.width': [64, 128, 256] } });
for (const c of sweep.children ?? []) submitted.push({ id: c.simulationId });
log(`submitted ${RUNS} runs and a sweep of ${sweep.children?.length ?? 0}; faults for ${SECONDS} s (Redis ${AOF ? 'with AOF' : 'without persistence'})`);

const faults: Record<string, number> = {};
const count = (f: string) => (faults[f] = (faults[f] ?? 0) + 1);
const end = Date.now() + SECONDS * 1000;
while (Date.now() < end) {
  await sleep(5000 + rand(10_000));
  const f = KINDS[rand(KINDS.length)];
  count(f);
  if (f === 'kill -9 worker' || f === 'SIGTERM worker') {
    const i = rand(workers.length);
    const w = workers[i];
    told.add(w);
    w.kill(f === 'kill -9 worker' ? 'SIGKILL' : 'SIGTERM');
    await new Promise((r) => (w.exitCode !== null || w.signalCode !== null ? r(null) : w.once('exit', r)));
    workers[i] = spawnWorker(i);
  } else if (f === 'kill -9 API') {
    apiProc.kill('SIGKILL');
    await sleep(1000);
    apiProc = spawnNode('apps/api/src/main.ts');
  } else if (f === 'Postgres stopped') {
    const down = Math.ceil(OUTAGE / 2) + rand(Math.floor(OUTAGE / 2) + 1);
    log(`Postgres down for ${down} s`);
    await pg.stop();
    await sleep(down * 1000);
    await pg.start();
  } else {
    await redis.kill();
    await sleep(1000 + rand(4000));
    await redis.start();
  }
  log(`fault: ${f}`);
}

log('faults over; waiting for every run to end');
const FINAL = ['completed', 'failed', 'cancelled', 'diverged'];
const finalOf = async (id: string) => (await call('GET', `/v1/simulations/${id}`)).body;
await until(async () => (await Promise.all(submitted.map(async (s) => FINAL.includes((await finalOf(s.id))?.status ?? '')))).every(Boolean), 'every run to end', 1_800_000).catch((e: Error) => log(e.message));
const results = await Promise.all(submitted.map(async (s) => ({ ...s, row: await finalOf(s.id) })));

log('clean runs of the same specs and seeds');
const clean: (string | null)[] = await Promise.all(results.map(async (r) => (r.row?.spec ? (await submit('/v1/simulations', { ...r.row.spec, name: `clean ${r.id}` })).id : null)));
await until(async () => (await Promise.all(clean.map(async (id) => !id || FINAL.includes((await finalOf(id))?.status ?? '')))).every(Boolean), 'the clean runs', 1_800_000);

let identical = 0, lost = 0, corrupted = 0;
for (const [i, r] of results.entries()) {
  const c = clean[i] ? await finalOf(clean[i]!) : null;
  if (r.row?.status !== 'completed') {
    lost++;
    log(`lost: ${r.id} ${r.row?.status ?? 'missing'} ${r.row?.error ?? ''}`);
  } else if (c?.trajectoryDigest && r.row.trajectoryDigest === c.trajectoryDigest) identical++;
  else {
    corrupted++;
    log(`corrupted: ${r.id} digest ${r.row.trajectoryDigest} vs clean ${c?.trajectoryDigest}`);
  }
}
const { default: pgClient } = await import('pg');
const db = new pgClient.Client(pg.url);
await db.connect();
const stored = Number((await db.query("SELECT count(*) FROM simulations WHERE name NOT LIKE 'clean %'")).rows[0].count);
await db.end();
const duplicated = stored - submitted.length;

console.log(`faults injected: ${Object.values(faults).reduce((a, b) => a + b, 0)} (${Object.entries(faults).map(([k, v]) => `${k} ${v}`).join(', ')})`);
console.log(`runs: ${submitted.length}  identical: ${identical}  lost: ${lost}  corrupted: ${corrupted}  duplicated: ${duplicated}`);
console.log(`workers that exited on their own: ${unexpectedExits}`);

stopping = true;
for (const w of workers) w.kill('SIGKILL');
apiProc.kill('SIGKILL');
await Promise.all([pg.destroy(), redis.destroy()]);
process.exit(lost + corrupted + duplicated === 0 ? 0 : 1);
