// npm test: install what is missing, make sure Postgres and Redis answer, prepare a fresh
// test database, run every test. Extra arguments go to vitest (e.g. `npm test -- packages/stats`).
// The machine's servers are not the tests' to break: a canary key in another Redis database and a
// canary database are checked after the run, with the servers' start times (a restart fails it).
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, checkCanaries, ensureInstalled, ensureServices, migrate, plantCanaries, run, say } from './lib.mjs';

const adminUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL ?? `${(process.env.REDIS_URL ?? DEFAULT_REDIS_URL).replace(/\/\d*$/, '')}/9`;
const testDb = process.env.TEST_DATABASE_NAME ?? 'mfsim_test';
const testUrl = Object.assign(new URL(adminUrl), { pathname: `/${testDb}` }).toString();

ensureInstalled();
await ensureServices({ databaseUrl: adminUrl, redisUrl });

say(`preparing a fresh test database ${testDb}`);
const { default: pg } = await import('pg');
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS "${testDb}" WITH (FORCE)`);
await admin.query(`CREATE DATABASE "${testDb}"`);
await admin.end();
migrate(testUrl);

const { Redis } = await import('ioredis');
const redis = new Redis(redisUrl);
await redis.flushdb();
redis.disconnect();

const canaries = await plantCanaries({ adminUrl, redisUrl });
say(`running the tests (DATABASE_URL=${testUrl}, REDIS_URL=${redisUrl})`);
try {
  run('npx', ['vitest', 'run', ...process.argv.slice(2)], {
    env: { DATABASE_URL: testUrl, REDIS_URL: redisUrl, MFSIM_TEST_ADMIN_DATABASE_URL: adminUrl },
  });
} finally {
  await checkCanaries(canaries);
}

// The whole suite (no arguments) also holds the code to its static checks.
if (process.argv.length <= 2) {
  say('type-checking and linting');
  run('npm', ['run', '--silent', 'typecheck', '--', '--output-logs=errors-only']);
  run('npm', ['run', '--silent', 'lint']);
}
