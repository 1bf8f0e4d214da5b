// npm start: install what is missing, migrate, start the API and one worker per CPU core.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, ensureInstalled, ensureServices, migrate, root, say } from './lib.mjs';

const databaseUrl = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const redisUrl = process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const workers = Number(process.env.MFSIM_WORKERS ?? os.availableParallelism());

ensureInstalled();
await ensureServices({ databaseUrl, redisUrl });
migrate(databaseUrl);

// One worker per core; each kernel's threads follow the jobs running on the machine (a lone run uses
// every core, N runs share them; apps/worker/src/engine/machine-share.ts). MFSIM_KERNEL_THREADS fixes them.
const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PORT: String(port), HOST: host };
const children = [];
const start = (name, script, extraEnv = {}) => {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: 'inherit', env: { ...env, ...extraEnv } });
  child.on('exit', (code, signal) => {
    if (!stopping) say(`${name} exited (${signal ?? code})`);
  });
  children.push(child);
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
await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.on('exit', r)))));
process.exit(0);
