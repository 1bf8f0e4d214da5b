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
  if (!existsSync('packages/db/src/generated/client.ts') || mtime('prisma/schema.prisma') > mtime('packages/db/src/generated/client.ts')) {
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

/** Applies prisma/migrations to the database (offline, see packages/db/src/migrate.ts). */
export function migrate(databaseUrl) {
  run('npm', ['run', '--silent', 'migrate', '-w', '@mfsim/db'], { env: { DATABASE_URL: databaseUrl } });
}
