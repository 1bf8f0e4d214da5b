// npm start: install what is missing, create the database when missing, migrate, start the API and
// one worker per CPU core, and keep them up: a process that dies is started again after a backoff
// (1 s, doubling to 30 s; back to 1 s once it has run for a minute). Ctrl-C stops everything.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensureDatabase, ensureInstalled, ensureServices, migrate, root, say, warnRedisPersistence } from './lib.mjs';

const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const workers = Number(process.env.MFSIM_WORKERS ?? os.availableParallelism());

ensureInstalled();
await ensureServices({ databaseUrl, redisUrl });
await ensureDatabase(databaseUrl);
await warnRedisPersistence(redisUrl);
migrate(databaseUrl);

// One worker per core; each kernel's threads follow the jobs running on the machine (a lone run uses
// every core, N runs share them; apps/worker/src/engine/machine-share.ts). MFSIM_KERNEL_THREADS fixes them.
const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PORT: String(port), HOST: host };
const children = new Set();
const start = (name, script, extraEnv = {}, delayMs = 1000) => {
  const startedAt = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  children.add(child);
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (stopping) return;
    // A process that ran a minute is restarted after 1 s; one that keeps dying waits longer each time.
    const next = Date.now() - startedAt > 60_000 ? 1000 : Math.min(delayMs * 2, 30_000);
    const wait = Date.now() - startedAt > 60_000 ? 1000 : delayMs;
    say(`${name} exited (${signal ?? code}); starting it again in ${wait / 1000} s`);
    setTimeout(() => !stopping && start(name, script, extraEnv, next), wait);
  });
};
start('api', 'apps/api/src/main.ts');
for (let i = 0; i < workers; i++) start(`worker ${i + 1}`, 'apps/worker/src/main.ts');

const base = `http://${host}:${port}`;
say(`API      ${base}`);
say(`OpenAPI  ${base}/openapi.json  (browsable: ${base}/docs)`);
say(`dashboard ${base}/dashboard/`);
say(`workers  ${workers} (one per CPU core); Ctrl-C stops everything`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  say('stopping');
  for (const c of children) c.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Runs until stopped; then waits for the children to exit.
await new Promise((resolve) => {
  const check = setInterval(() => {
    if (stopping && children.size === 0) {
      clearInterval(check);
      resolve();
    }
  }, 200);
});
process.exit(0);
