// What the throwaway Redis set-ups of the tests share (a cluster: redis-cluster.ts; a master with
// sentinels: redis-sentinel.ts): waiting for a server to be ready, owning the processes they
// started (only those are ever killed, also when the test process dies before its teardown). The
// service that the API's failover tests run on them: apps/api/test/failover-service.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls the Redis on `port` until `check` is true; throws after `timeoutMs`, or once `signal` aborts. */
export async function untilRedis(port: number, timeoutMs: number, check: (r: Redis) => Promise<boolean>, what = 'redis', signal?: AbortSignal) {
  const end = Date.now() + timeoutMs;
  const r = new Redis({ port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => 200, commandTimeout: 5_000 });
  r.on('error', () => {});
  try {
    for (;;) {
      if (await check(r).catch(() => false)) return;
      if (Date.now() > end) throw new Error(`${what} on ${port} not ready after ${timeoutMs} ms`);
      signal?.throwIfAborted();
      await sleep(200);
    }
  } finally {
    r.disconnect();
  }
}

/** Spawns redis-server with `args`; keeps the tail of what it prints, for the error when it exits early. */
export function spawnRedis(args: string[]): ChildProcess & { output(): string } {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  const keep = (b: Buffer) => void (tail = (tail + b.toString()).slice(-2000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return Object.assign(child, { output: () => tail });
}

/**
 * Starts a set of throwaway servers in a temporary folder and waits until `ready` says they serve.
 * A server that exits before then (a port taken by another process after it was checked) fails the
 * start at once, with what the server printed, and the whole set is started again on other ports
 * (up to three times) instead of waiting out a timeout.
 */
export async function startOwnedServers<T>(
  prefix: string,
  ports: () => Promise<number[]>,
  start: (ports: number[], dir: string) => Map<number, ReturnType<typeof spawnRedis>>,
  ready: (ports: number[], signal: AbortSignal) => Promise<T>,
): Promise<{ ports: number[]; owned: OwnedServers; value: T }> {
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const chosen = await ports();
    const procs = start(chosen, dir);
    const owned = ownServers(procs, dir);
    const abandon = new AbortController();
    let onExit!: (e: Error) => void;
    const exited = new Promise<never>((_, reject) => (onExit = reject));
    exited.catch(() => {});
    const watchers = [...procs].map(([port, c]) => {
      const watch = (code: number | null, signal: string | null) =>
        onExit(new EarlyExit(`redis-server on ${port} exited (${code ?? signal}) before it was ready: ${c.output().trim()}`));
      c.once('exit', watch);
      return () => c.off('exit', watch);
    });
    try {
      const value = await Promise.race([ready(chosen, abandon.signal), exited]);
      return { ports: chosen, owned, value };
    } catch (e) {
      abandon.abort(); // the waits of a set given up end with it
      await owned.stop();
      if (!(e instanceof EarlyExit) || attempt >= 3) throw e;
    } finally {
      watchers.forEach((unwatch) => unwatch());
    }
  }
}

class EarlyExit extends Error {}

export interface OwnedServers {
  /** True while the process on `port` runs. */
  alive(port: number): boolean;
  /** Kills the process on `port` at once (SIGKILL), as a crashed host would go. */
  kill(port: number): void;
  /** Kills every process, waits for them to exit, removes `dir`. */
  stop(): Promise<void>;
}

/**
 * Takes charge of `procs` (by port) and their folder `dir`: a watchdog shell kills exactly these
 * processes once the test process is gone, so a teardown cut off leaves no server behind.
 */
export function ownServers(procs: Map<number, ChildProcess>, dir: string): OwnedServers {
  const pids = [...procs.values()].map((c) => c.pid).join(' ');
  const watchdog = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; kill -9 ${pids} 2>/dev/null`], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
  return {
    alive: (port) => {
      const c = procs.get(port);
      return c !== undefined && running(c);
    },
    kill: (port) => void procs.get(port)?.kill('SIGKILL'),
    async stop() {
      watchdog.kill('SIGKILL');
      for (const c of procs.values()) if (running(c)) c.kill('SIGKILL');
      await Promise.all([...procs.values()].map((c) => (running(c) ? new Promise((r) => c.once('exit', r)) : null)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
