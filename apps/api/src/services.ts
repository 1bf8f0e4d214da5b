// Opens the connections the API needs; the same function serves main.ts and the tests.
import { connectDatabase } from '@mfsim/db';
import { openFlowProducer, openSimulationQueue, redisClient, redisConnection } from '@mfsim/queue';
import type { ApiDeps } from './deps.ts';

export function openApiDeps(o: { databaseUrl?: string; redisUrl?: string; memoryBudgetBytes: number }): ApiDeps & { close(): Promise<void> } {
  const db = connectDatabase({ url: o.databaseUrl });
  const connection = redisConnection(o.redisUrl);
  const queues = { cpu: openSimulationQueue('cpu', connection), gpu: openSimulationQueue('gpu', connection) };
  const redis = redisClient(o.redisUrl);
  const flows = openFlowProducer(connection);
  return {
    db,
    queues,
    flows,
    redis,
    memoryBudgetBytes: o.memoryBudgetBytes,
    async close() {
      await Promise.all([queues.cpu.close(), queues.gpu.close(), flows.close()]);
      redis.disconnect();
      await db.close();
    },
  };
}
