// Throwaway Postgres and Redis servers for fault tests and `npm run chaos`: each in its own
// temporary folder on a free port, started, stopped and killed here, and only these. The machine's
// own servers (5432, 6379) are never touched. Postgres refuses to run as root, so as root initdb and
// the server run as the `postgres` user (runuser), which owns the folder.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/**
 * `n` free ports, consecutive when `consecutive`, each with `port + offset` free too (a cluster's bus
 * port is port + 10000). They lie below the kernel's ephemeral range (32768 up on Linux), so an
 * outgoing connection of some other test cannot take one between this check and the server's bind.
 */
export async function freeServerPorts(n: number, { offset = 0, consecutive = false } = {}): Promise<number[]> {
  const low = 10_000, high = 32_000 - offset - n;
  const pick = () => low + Math.floor(Math.random() * (high - low));
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = pick();
    const ports = consecutive ? Array.from({ length: n }, (_, i) => base + i) : [...new Set(Array.from({ length: n }, pick))];
    if (ports.length < n) continue;
    const free = await Promise.all(ports.flatMap((p) => (offset ? [portFree(p), portFree(p + offset)] : [portFree(p)])));
    if (free.every(Boolean)) return ports;
  }
  throw new Error('no free ports for test servers');
}

/** A TCP port nobody listens on now, below the ephemeral range (freeServerPorts). */
export async function freePort(): Promise<number> {
  const [port] = await freeServerPorts(1);
  return port;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
async function until(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function pgBin(name: string): string {
  const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(`/usr/lib/postgresql/${v}/bin/${name}`)) return `/usr/lib/postgresql/${v}/bin/${name}`;
  return name; // on PATH
}

export interface ThrowawayPostgres {
  url: string;
  port: number;
  /** pg_ctl stop (mode fast): connections are closed, the data stays. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>;
}

/** initdb into a temporary folder and start a Postgres on a free port (trust auth, user postgres). */
export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const dir = mkdtempSync(join(tmpdir(), 'mfsim-pg-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), Number(execFileSync('id', ['-g', 'postgres']).toString()));
  const as = (cmd: string, args: string[]) =>
    asRoot ? execFileSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { stdio: 'pipe' }) : execFileSync(cmd, args, { stdio: 'pipe' });
  const data = join(dir, 'data');
  as(pgBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`;
  const start = async () => {
    as(pgBin('pg_ctl'), ['-D', data, '-o', opts, '-l', join(dir, 'log'), '-w', 'start']);
    await until(() => listening(port), `postgres on ${port}`);
  };
  const stop = async () => {
    as(pgBin('pg_ctl'), ['-D', data, '-m', 'fast', '-w', 'stop']);
  };
  await start();
  return {
    url: `postgresql://postgres@127.0.0.1:${port}/postgres`,
    port,
    start,
    stop,
    async destroy() {
      await stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ThrowawayRedis {
  url: string;
  port: number;
  /** SIGKILL: what was not persisted is lost. */
  kill(): Promise<void>;
  /** SIGSTOP: connections stay open and every command waits (a hung server); `resume` sends SIGCONT. */
  pause(): void;
  resume(): void;
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** A redis-server on a free port in a temporary folder; `aof`: appendonly yes, fsync every second. */
export async function startThrowawayRedis(o: { aof?: boolean } = {}): Promise<ThrowawayRedis> {
  const dir = mkdtempSync(join(tmpdir(), 'mfsim-redis-'));
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', o.aof ? 'yes' : 'no',
      '--maxmemory-policy', 'noeviction',
    ], { stdio: 'ignore' });
    await until(() => listening(port), `redis on ${port}`);
  };
  const kill = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    kill,
    pause: () => void child?.kill('SIGSTOP'),
    resume: () => void child?.kill('SIGCONT'),
    async destroy() {
      child?.kill('SIGCONT');
      await kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
