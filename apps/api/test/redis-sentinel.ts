// A throwaway Sentinel-managed Redis for tests: a master, one replica and three sentinels (quorum 2)
// from Debian's redis-server (`--sentinel`), on free ports, in a temporary folder. Only the
// processes started here are ever stopped (by their own handles).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

export interface TestSentinels {
  /** `redis+sentinel://127.0.0.1:s1,.../mfsim-test` for REDIS_URL. */
  url: string;
  masterName: string;
  /** The port of the master the sentinels name now. */
  master(): Promise<number>;
  /** Kills the server on `port` at once (SIGKILL), as a crashed host would go. */
  kill(port: number): void;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(port: number, timeoutMs: number, what: string, check: (r: Redis) => Promise<boolean>) {
  const end = Date.now() + timeoutMs;
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 200 });
  r.on('error', () => {});
  try {
    for (;;) {
      if (await check(r).catch(() => false)) return;
      if (Date.now() > end) throw new Error(`${what} (port ${port}) not ready after ${timeoutMs} ms`);
      await sleep(200);
    }
  } finally {
    r.disconnect();
  }
}

export async function startTestSentinels(masterName = 'mfsim-test'): Promise<TestSentinels> {
  const dir = mkdtempSync(join(tmpdir(), 'mfsim-sentinel-'));
  const [master, replica, ...sentinelPorts] = await Promise.all(Array.from({ length: 5 }, freePort));
  const procs = new Map<number, ChildProcess>();
  const server = (port: number, extra: string[]) =>
    procs.set(port, spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `dump-${port}.rdb`,
      '--appendonly', 'no', '--save', '', '--maxmemory-policy', 'noeviction', ...extra,
    ], { stdio: 'ignore' }));
  server(master, []);
  server(replica, ['--replicaof', '127.0.0.1', String(master)]);
  for (const port of sentinelPorts) {
    const conf = join(dir, `sentinel-${port}.conf`);
    writeFileSync(conf, [
      `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
      `sentinel monitor ${masterName} 127.0.0.1 ${master} 2`,
      `sentinel down-after-milliseconds ${masterName} 1000`,
      `sentinel failover-timeout ${masterName} 5000`,
      `sentinel parallel-syncs ${masterName} 1`, '',
    ].join('\n'));
    procs.set(port, spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
  }
  // Even when the test process is killed (a teardown cut off), the servers do not outlive it.
  const pids = [...procs.values()].map((c) => c.pid).join(' ');
  const watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${pids} 2>/dev/null`], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const stop = async () => {
    watchdog.kill('SIGKILL');
    for (const c of procs.values()) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await Promise.all([...procs.values()].map((c) => (c.exitCode !== null || c.signalCode !== null ? null : new Promise((r) => c.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await until(replica, 30_000, 'the replica in sync', async (r) => String(await r.info('replication')).includes('master_link_status:up'));
    // Each sentinel knows the replica and the two other sentinels before a failover can be agreed.
    for (const port of sentinelPorts) {
      await until(port, 60_000, 'a sentinel that sees the replica and its peers', async (r) => {
        const m = (await r.call('SENTINEL', 'MASTER', masterName)) as string[];
        const field = (k: string) => Number(m[m.indexOf(k) + 1]);
        return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
      });
    }
  } catch (e) {
    await stop();
    throw e;
  }
  const alive = () => sentinelPorts.filter((p) => { const c = procs.get(p)!; return c.exitCode === null && c.signalCode === null; });
  return {
    url: `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${masterName}`,
    masterName,
    async master() {
      const r = new Redis({ port: alive()[0], host: '127.0.0.1', maxRetriesPerRequest: 1 });
      try {
        const [, port] = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as [string, string];
        return Number(port);
      } finally {
        r.disconnect();
      }
    },
    kill(port) {
      procs.get(port)?.kill('SIGKILL');
    },
    stop,
  };
}
