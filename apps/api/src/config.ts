// Configuration from the environment, with local defaults.
import { memoryBudgetBytes } from '@mfsim/engine/memory';

export interface ApiConfig {
  port: number;
  host: string;
  databaseUrl?: string;
  redisUrl?: string;
  memoryBudgetBytes: number;
  /** Seconds between looks for simulations whose queued jobs Redis lost (MFSIM_RECOVERY_SECONDS; 0: only at start). */
  recoverySeconds: number;
}

export function apiConfig(env = process.env): ApiConfig {
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    memoryBudgetBytes: memoryBudgetBytes(env),
    recoverySeconds: Number(env.MFSIM_RECOVERY_SECONDS ?? 30),
  };
}
