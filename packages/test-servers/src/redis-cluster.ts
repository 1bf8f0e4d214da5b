// A throwaway Redis Cluster for tests: three masters with one replica each, from Debian's
// redis-server in cluster mode, on free ports, in a temporary folder. Only the processes started
// here are ever stopped (by their own handles); a node that cannot start (its port taken meanwhile)
// starts the set again on other ports.
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { spawnRedis, startOwnedServers, untilRedis } from './redis-servers.ts';
import { freeServerPorts } from './throwaway-servers.ts';

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

export async function startTestCluster(): Promise<TestCluster> {
  const { ports, owned: { alive, kill, stop } } = await startOwnedServers(
    'mfsim-cluster-',
    () => freeServerPorts(6, { offset: 10_000, consecutive: true }),
    (ports, dir) => new Map(ports.map((port) => [port, spawnRedis([
      '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `dump-${port}.rdb`,
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000',
      '--appendonly', 'no', '--save', '', '--maxmemory-policy', 'noeviction',
    ])])),
    async (ports, signal) => {
      for (const port of ports) await untilRedis(port, 30_000, async (r) => (await r.ping()) === 'PONG', 'redis', signal);
      const create = spawnSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '1', '--cluster-yes'], { encoding: 'utf8', timeout: 60_000 });
      if (create.status !== 0) throw new Error(`redis-cli --cluster create failed: ${create.stdout}${create.stderr}`);
      for (const port of ports) await untilRedis(port, 30_000, async (r) => String(await r.cluster('INFO')).includes('cluster_state:ok'), 'the cluster', signal);
      // A failover needs each master's replica attached and in sync: `cluster create` returns before
      // the replicas have finished their first sync, and CLUSTER SLOTS lists them only after.
      for (const port of ports) {
        await untilRedis(port, 60_000, async (r) => {
          const info = String(await r.info('replication'));
          return info.includes('role:slave') ? info.includes('master_link_status:up') : !/connected_slaves:0\b/.test(info);
        }, 'a replica in sync', signal);
      }
    },
  );

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
