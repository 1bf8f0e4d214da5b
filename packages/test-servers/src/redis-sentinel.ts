// A throwaway Sentinel-managed Redis for tests: a master, one replica and three sentinels (quorum 2)
// from Debian's redis-server (`--sentinel`), on free ports, in a temporary folder. Only the
// processes started here are ever stopped (by their own handles).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { spawnRedis, startOwnedServers, untilRedis } from './redis-servers.ts';
import { freeServerPorts } from './throwaway-servers.ts';

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

export async function startTestSentinels(masterName = 'mfsim-test'): Promise<TestSentinels> {
  const { ports: [, , ...sentinelPorts], owned: { alive, kill, stop } } = await startOwnedServers(
    'mfsim-sentinel-',
    () => freeServerPorts(5),
    ([master, replica, ...sentinelPorts], dir) => {
      const server = (port: number, extra: string[]) => spawnRedis([
        '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', `dump-${port}.rdb`,
        '--appendonly', 'no', '--save', '', '--maxmemory-policy', 'noeviction', ...extra,
      ]);
      const procs = new Map([[master, server(master, [])], [replica, server(replica, ['--replicaof', '127.0.0.1', String(master)])]]);
      for (const port of sentinelPorts) {
        const conf = join(dir, `sentinel-${port}.conf`);
        writeFileSync(conf, [
          `port ${port}`, 'bind 127.0.0.1', `dir ${dir}`,
          `sentinel monitor ${masterName} 127.0.0.1 ${master} 2`,
          `sentinel down-after-milliseconds ${masterName} 1000`,
          `sentinel failover-timeout ${masterName} 5000`,
          `sentinel parallel-syncs ${masterName} 1`, '',
        ].join('\n'));
        procs.set(port, spawnRedis([conf, '--sentinel']));
      }
      return procs;
    },
    async ([, replica, ...sentinelPorts], signal) => {
      await untilRedis(replica, 30_000, async (r) => String(await r.info('replication')).includes('master_link_status:up'), 'the replica in sync', signal);
      // Each sentinel knows the replica and the two other sentinels before a failover can be agreed.
      for (const port of sentinelPorts) {
        await untilRedis(port, 60_000, async (r) => {
          const m = (await r.call('SENTINEL', 'MASTER', masterName)) as string[];
          const field = (k: string) => Number(m[m.indexOf(k) + 1]);
          return field('num-slaves') >= 1 && field('num-other-sentinels') >= 2;
        }, 'a sentinel that sees the replica and its peers', signal);
      }
    },
  );
  return {
    url: `redis+sentinel://${sentinelPorts.map((p) => `127.0.0.1:${p}`).join(',')}/${masterName}`,
    masterName,
    async master() {
      const r = new Redis({ port: sentinelPorts.filter(alive)[0], host: '127.0.0.1', maxRetriesPerRequest: 1 });
      try {
        const [, port] = (await r.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', masterName)) as [string, string];
        return Number(port);
      } finally {
        r.disconnect();
      }
    },
    kill,
    stop,
  };
}
