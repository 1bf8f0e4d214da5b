// Shared steps of `npm start` and `npm test`. Plain Node with no dependencies, since it runs
// before anything is installed.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_DATABASE_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export const say = (msg) => console.log(`\x1b[1mmfsim\x1b[0m ${msg}`);

/** Runs a command in the repository, inheriting output; throws when it fails. */
export function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options, env: { ...process.env, ...options.env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

const mtime = (p) => (existsSync(p) ? statSync(path.join(root, p)).mtimeMs : 0);

/** npm install when node_modules is missing or older than the lock file; generated code; the native addon. */
export function ensureInstalled() {
  process.chdir(root);
  if (!existsSync('node_modules/.package-lock.json') || mtime('package-lock.json') > mtime('node_modules/.package-lock.json')) {
    say('installing dependencies (npm install)');
    run('npm', ['install', '--no-audit', '--no-fund']);
  }
  if (!existsSync('packages/db/src/generated/client.ts') || mtime('packages/db/prisma/schema.prisma') > mtime('packages/db/src/generated/client.ts')) {
    say('generating the Prisma client');
    run('npm', ['run', '--silent', 'generate', '-w', '@mfsim/db']);
  }
  // Builds the C++ kernel when it is missing or stale; never fails (the worker falls back to tfjs).
  run('npm', ['run', '--silent', 'build:native', '-w', '@mfsim/engine']);
  run('npm', ['run', '--silent', 'build:if-stale', '-w', '@mfsim/dashboard']); // vite build when dist/ is stale
}

function reachable(url, defaultPort) {
  const u = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname, port: Number(u.port || defaultPort) });
    socket.setTimeout(1000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

const isLocal = (url) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(url).hostname);

const START_COMMANDS = {
  postgres: ['sh', ['-c', 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | head -n1) main start']],
  redis: ['redis-server', ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no']],
};

/** Waits for Postgres and Redis; starts the local servers when they are installed but stopped. */
export async function ensureServices({ databaseUrl, redisUrl }) {
  for (const [name, url, port] of [['postgres', databaseUrl, 5432], ['redis', redisUrl, 6379]]) {
    if (await reachable(url, port)) continue;
    if (isLocal(url)) {
      say(`${name} is not answering at ${new URL(url).host}; starting the local server`);
      const [cmd, args] = START_COMMANDS[name];
      spawnSync(cmd, args, { stdio: 'inherit' });
      for (let i = 0; i < 30 && !(await reachable(url, port)); i++) await new Promise((r) => setTimeout(r, 500));
    }
    if (!(await reachable(url, port))) {
      throw new Error(`${name} is not reachable at ${url}: start it, or set ${name === 'postgres' ? 'DATABASE_URL' : 'REDIS_URL'}`);
    }
  }
}

/** Applies packages/db/prisma/migrations to the database (offline, see packages/db/src/migrate.ts). */
export function migrate(databaseUrl) {
  run('npm', ['run', '--silent', 'migrate', '-w', '@mfsim/db'], { env: { DATABASE_URL: databaseUrl } });
}

/**
 * Marks left on the machine's servers before the tests: a key in a Redis database other than the
 * tests' own, a database other than the test database, and each server's start time.
 */
export async function plantCanaries({ adminUrl, redisUrl }) {
  const { default: pg } = await import('pg');
  const { Redis } = await import('ioredis');
  const tag = `${process.pid}_${Date.now()}`;
  const testDb = Number(new URL(redisUrl).pathname.slice(1) || 0);
  const canaryRedisUrl = Object.assign(new URL(redisUrl), { pathname: `/${(testDb + 1) % 16}` }).toString();
  const redis = new Redis(canaryRedisUrl);
  await redis.set(`mfsim:test-canary:${tag}`, tag, 'EX', 24 * 3600);
  const redisRunId = (await redis.info('server')).match(/run_id:(\w+)/)?.[1];
  redis.disconnect();
  const database = `mfsim_canary_${tag}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${database}"`);
  const { rows } = await admin.query('SELECT pg_postmaster_start_time()::text AS t');
  await admin.end();
  return { tag, canaryRedisUrl, redisRunId, adminUrl, database, postgresStart: rows[0].t };
}

/** Throws when a canary is gone or a server restarted during the tests; removes the canaries. */
export async function checkCanaries(c) {
  const { default: pg } = await import('pg');
  const { Redis } = await import('ioredis');
  const problems = [];
  const redis = new Redis(c.canaryRedisUrl);
  if ((await redis.get(`mfsim:test-canary:${c.tag}`)) !== c.tag) problems.push(`the canary key in ${c.canaryRedisUrl} is gone (a test flushed or restarted Redis)`);
  if ((await redis.info('server')).match(/run_id:(\w+)/)?.[1] !== c.redisRunId) problems.push('Redis was restarted during the tests');
  await redis.del(`mfsim:test-canary:${c.tag}`);
  redis.disconnect();
  const admin = new pg.Client({ connectionString: c.adminUrl });
  await admin.connect();
  const { rows } = await admin.query('SELECT pg_postmaster_start_time()::text AS t, (SELECT count(*)::int FROM pg_database WHERE datname = $1) AS n', [c.database]);
  if (rows[0].t !== c.postgresStart) problems.push('Postgres was restarted during the tests');
  if (rows[0].n !== 1) problems.push(`the canary database ${c.database} is gone`);
  await admin.query(`DROP DATABASE IF EXISTS "${c.database}"`);
  await admin.end();
  if (problems.length) throw new Error(`the tests touched the machine's servers: ${problems.join('; ')}`);
  say("canaries intact: the tests left the machine's Postgres and Redis as they were");
}

/**
 * Creates the database DATABASE_URL names when the server has no such database (connecting to its
 * `postgres` database to do so); says in one line what to do when that is not allowed.
 */
export async function ensureDatabase(databaseUrl) {
  const { default: pg } = await import('pg');
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres';
  const admin = new pg.Client({ connectionString: Object.assign(new URL(databaseUrl), { pathname: '/postgres' }).toString() });
  try {
    await admin.connect();
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) {
      say(`creating the database ${name} (named by DATABASE_URL)`);
      await admin.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
    }
  } catch (err) {
    say(`cannot check or create the database ${name} (${err.message}): create it with \`createdb ${name}\` or set DATABASE_URL to one that exists`);
    process.exit(1);
  } finally {
    await admin.end().catch(() => {});
  }
}

/** Warns when Redis keeps nothing across a restart (no AOF, no RDB saves) or may evict keys. */
export async function warnRedisPersistence(redisUrl) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  try {
    await redis.connect();
    const [, aof] = await redis.config('GET', 'appendonly');
    const [, save] = await redis.config('GET', 'save');
    const [, policy] = await redis.config('GET', 'maxmemory-policy');
    if (aof !== 'yes' && !save) {
      say('warning: Redis has no persistence (appendonly no, no save points): a Redis restart loses queued jobs, live events and rate-limit counters; recovery queues the simulations again from Postgres. Production Redis needs `appendonly yes`.');
    }
    if (policy && policy !== 'noeviction') say(`warning: Redis maxmemory-policy is ${policy}; it must be noeviction, or queued jobs may be evicted`);
  } catch {
    // CONFIG may be disabled (managed Redis): nothing to say.
  } finally {
    redis.disconnect();
  }
}
