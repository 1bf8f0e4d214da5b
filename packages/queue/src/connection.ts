// Redis connection settings: one Redis (REDIS_URL, default the local server), a Redis Cluster
// (REDIS_CLUSTER_NODES="host:port,host:port", or REDIS_URL="redis+cluster://[user:pass@]host:port,host:port"),
// or a master watched by Redis Sentinel (REDIS_SENTINELS="host:port,host:port" with REDIS_SENTINEL_NAME,
// default mymaster, or REDIS_URL="redis+sentinel://[user:pass@]host:port,host:port/mymaster[/db]").
//
// On a cluster, a BullMQ script touches all of a queue's keys, and a flow touches its parent's and its
// children's queues at once, so every key of every queue must hash to one slot: all queues share the
// prefix QUEUE_PREFIX, whose `{...}` is the cluster hash tag (ioredis `keyPrefix` does not work with
// BullMQ). The same prefix is used on a single Redis, so both run the same keys. The cost: all
// queue traffic sits on one master (the cluster gives failover, and spreads the event streams and
// counters, which are keyed per simulation, over the others).
import { createIORedisClient, RedisConnection, type ConnectionOptions } from 'bullmq';
import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** The prefix of every BullMQ queue; `{mfsim}` is one cluster hash slot for all queues and flows. */
export const QUEUE_PREFIX = '{mfsim}';

/** Where Redis is: one server, or the seed nodes of a cluster (with their shared credentials). */
export type RedisTopology =
  | { mode: 'single'; url: string }
  | { mode: 'cluster'; nodes: ClusterNode[]; username?: string; password?: string }
  | { mode: 'sentinel'; sentinels: { host: string; port: number }[]; name: string; db: number; username?: string; password?: string; sentinelPassword?: string };

export function redisUrl(url?: string): string {
  return url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
}

const parseNodes = (list: string): { host: string; port: number }[] =>
  list.split(',').map((s) => s.trim()).filter(Boolean).map((hostPort) => {
    const i = hostPort.lastIndexOf(':');
    return i < 0 ? { host: hostPort, port: 6379 } : { host: hostPort.slice(0, i), port: Number(hostPort.slice(i + 1)) };
  });

/**
 * The topology: REDIS_CLUSTER_NODES or REDIS_SENTINELS when set, unless the caller passes a URL of
 * its own (one that is not just REDIS_URL read from the environment), else the URL. A
 * `redis+cluster://` or `redis+sentinel://` URL names several hosts, which `new URL` cannot parse,
 * so it is split by hand.
 */
export function redisTopology(url?: string): RedisTopology {
  const ownUrl = url !== undefined && url !== process.env.REDIS_URL;
  const env = ownUrl ? {} : process.env;
  const credentials = { password: env.REDIS_PASSWORD || undefined, username: env.REDIS_USERNAME || undefined };
  if (env.REDIS_CLUSTER_NODES) return { mode: 'cluster', nodes: parseNodes(env.REDIS_CLUSTER_NODES), ...credentials };
  if (env.REDIS_SENTINELS) {
    return {
      mode: 'sentinel', sentinels: parseNodes(env.REDIS_SENTINELS), name: env.REDIS_SENTINEL_NAME || 'mymaster',
      db: Number(env.REDIS_DB ?? 0), sentinelPassword: env.REDIS_SENTINEL_PASSWORD || undefined, ...credentials,
    };
  }
  const u = redisUrl(url);
  const m = /^redis\+(cluster|sentinel):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)(?:\/([^/?#]+))?(?:\/(\d+))?/.exec(u);
  if (!m) return { mode: 'single', url: u };
  const userPass = {
    username: m[2] ? decodeURIComponent(m[2]) : undefined,
    password: m[3] ? decodeURIComponent(m[3]) : undefined,
  };
  if (m[1] === 'cluster') return { mode: 'cluster', nodes: parseNodes(m[4]), ...userPass };
  // redis+sentinel://[user:pass@]host:port,host:port[/masterName[/db]]
  return { mode: 'sentinel', sentinels: parseNodes(m[4]), name: m[5] ? decodeURIComponent(m[5]) : 'mymaster', db: Number(m[6] ?? 0), ...userPass };
}

/** ioredis options that follow a Sentinel-managed master: after a failover, clients reconnect to the promoted replica. */
function sentinelOptions(t: Extract<RedisTopology, { mode: 'sentinel' }>): RedisOptions {
  return {
    sentinels: t.sentinels, name: t.name, db: t.db, username: t.username, password: t.password, sentinelPassword: t.sentinelPassword,
    // A failover takes the sentinels' down-after time plus an election: keep asking them until a master answers.
    sentinelRetryStrategy: (times) => Math.min(100 * times, 2_000),
    // Commands sent to the old master while it is demoted fail with READONLY: reconnect to the new one.
    reconnectOnError: (err) => err.message.startsWith('READONLY'),
  };
}

/** Marks BullMQ connection options that stand for a cluster; see `clusterClientFactory`. */
const CLUSTER_NODES = 'mfsimClusterNodes';

function newCluster(t: Extract<RedisTopology, { mode: 'cluster' }>, redisOptions: RedisOptions): Cluster {
  return new Cluster(t.nodes, {
    redisOptions: { ...redisOptions, username: t.username, password: t.password },
    // A failed-over master's replica takes a few seconds to be promoted; keep retrying until it is.
    clusterRetryStrategy: (times) => Math.min(100 * times, 2_000),
    slotsRefreshTimeout: 2_000,
  });
}

/**
 * BullMQ makes every connection (each queue's, each worker's blocking one) from plain options; for
 * options marked as a cluster this factory makes an ioredis Cluster, so BullMQ owns and closes it
 * like any connection of its own. Other options get the client BullMQ would make itself.
 */
function installClusterFactory(): void {
  if (RedisConnection.clientFactory) return;
  RedisConnection.clientFactory = (opts) => {
    const { [CLUSTER_NODES]: cluster, url, ...rest } = opts as RedisOptions & { url?: string; [CLUSTER_NODES]?: Extract<RedisTopology, { mode: 'cluster' }> };
    if (cluster) {
      const { host: _h, port: _p, db: _d, ...perNode } = rest;
      return createIORedisClient(newCluster(cluster, perNode));
    }
    return createIORedisClient(url ? new Redis(url, rest) : new Redis(rest));
  };
}

/** BullMQ connection options; pass `prefix: QUEUE_PREFIX` (the open* functions do) with them. */
export function redisConnection(url?: string): ConnectionOptions {
  const t = redisTopology(url);
  if (t.mode === 'cluster') {
    installClusterFactory();
    // Workers block on Redis; BullMQ requires unlimited retries per request for them.
    return { [CLUSTER_NODES]: t, maxRetriesPerRequest: null };
  }
  // (BullMQ types its options with its own copy of ioredis's; the object is plain ioredis options.)
  if (t.mode === 'sentinel') return { ...sentinelOptions(t), maxRetriesPerRequest: null } as ConnectionOptions;
  const u = new URL(t.url);
  return {
    host: u.hostname,
    port: Number(u.port || 6379),
    username: u.username || undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    db: u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0,
    maxRetriesPerRequest: null,
  };
}

/**
 * A plain client for health checks, counters, event streams and pub/sub. On a cluster it is an
 * ioredis Cluster, which answers every command this project sends a plain client (one key per
 * command or per MULTI); typed as Redis so callers need not care.
 */
export function redisClient(url?: string): Redis {
  const t = redisTopology(url);
  if (t.mode === 'single') return new Redis(t.url, { maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  if (t.mode === 'sentinel') return new Redis({ ...sentinelOptions(t), maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  return newCluster(t, { maxRetriesPerRequest: 1, connectTimeout: 2_000 }) as unknown as Redis;
}

/** True when Redis answers PING within `timeoutMs`. */
export async function redisReachable(client: Redis, timeoutMs = 1_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
  try {
    return await Promise.race([client.ping().then((r) => r === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
