// A throwaway Redis Cluster for tests: three masters with one replica each, from Debian's
// redis-server in cluster mode, on free ports, in a temporary folder. Only the processes started
// here are ever stopped (by their own handles).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { ownServers, untilRedis } from './redis-servers.ts';

export interface TestCluster {
  /** `redis+cluster://127.0.0.1:p1,...` for REDIS_URL. */
  url: string;
  ports: number[];
  /** The port of the master now serving `key`'s slot, and the ports of its replicas. */
  ownerOf(key: string): Promise<{ master: number; replicas: number[] }>;
  /** Kills the node on `port` at once (SIGKILL), as a crashed host would go. */
  kill(port: number): void;
  stop(): Promise<void>;
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });

/** `n` consecutive ports whose cluster bus ports (+10000) are free too. */
async function freePorts(n: number): Promise<number[]> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 9_000);
    const ports = Array.from({ length: n }, (_, i) => base + i);
    const free = await Promise.all(ports.flatMap((p) => [portFree(p), portFree(p + 10_000)]));
    if (free.every(Boolean)) return ports;
  }
  throw new Error('no free ports for a test cluster');
}

export async function startTestCluster(): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'mfsim-cluster-'));
  const ports = await freePorts(6);
  const nodes = new Map<number, ChildProcess>();
  for (const port of ports) {
    const child = spawn('redis-server', [
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `dump-${port}.rdb`,
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000',
      '--appendonly', 'no', '--save', '', '--maxmemory-policy', 'noeviction',
    ], { stdio: 'ignore' });
    nodes.set(port, child);
  }
  const { alive, kill, stop } = ownServers(nodes, dir);
  try {
    for (const port of ports) await untilRedis(port, 10_000, async (r) => (await r.ping()) === 'PONG');
    const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
    if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
    for (const port of ports) await untilRedis(port, 30_000, async (r) => String(await r.cluster('INFO')).includes('cluster_state:ok'));
    // A failover needs each master's replica attached and in sync: `cluster create` returns before
    // the replicas have finished their first sync, and CLUSTER SLOTS lists them only after.
    for (const port of ports) {
      await untilRedis(port, 60_000, async (r) => {
        const info = String(await r.info('replication'));
        return info.includes('role:slave') ? info.includes('master_link_status:up') : !/connected_slaves:0\b/.test(info);
      });
    }
  } catch (e) {
    await stop();
    throw e;
  }

  return {
    url: `redis+cluster://${ports.map((p) => `127.0.0.1:${p}`).join(',')}`,
    ports,
    async ownerOf(key) {
      const r = new Redis({ port: ports.filter(alive)[0], host: '127.0.0.1', maxRetriesPerRequest: 1 });
      try {
        const slot = Number(await r.cluster('KEYSLOT', key));
        const ranges = await r.cluster('SLOTS');
        const range = ranges.find(([from, to]) => slot >= from && slot <= to);
        if (!range) throw new Error(`no node serves slot ${slot}`);
        const [, , master, ...replicas] = range;
        return { master: master[1], replicas: replicas.map((x) => x[1]) };
      } finally {
        r.disconnect();
      }
    },
    kill,
    stop,
  };
}
