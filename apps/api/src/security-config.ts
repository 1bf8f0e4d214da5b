// The bounds on what one client can cost the service, and the surfaces it may see (issue 13):
// each from the environment with a default, and each overridable by buildApp's `security`.

export interface SecurityOptions {
  /** Shortest gap between a schedule's firings, in seconds (MFSIM_SCHEDULE_MIN_INTERVAL_SECONDS; default 60). */
  scheduleMinIntervalSeconds: number;
  /** Failed authentications per client address per minute before 429 (MFSIM_AUTH_FAILURES_PER_MINUTE; default 30). */
  authFailuresPerMinute: number;
  /** Open event streams per key (MFSIM_SSE_STREAMS_PER_KEY; default 50) and in all (MFSIM_SSE_STREAMS_TOTAL; default 2000). */
  sseStreamsPerKey: number;
  sseStreamsTotal: number;
  /** Requests of one key being served at once, beyond which 429 (MFSIM_REQUESTS_IN_FLIGHT_PER_KEY; default 8). */
  requestsInFlightPerKey: number;
  /** Per-project quotas: compute of one submission, storage of one submission, compute queued or running. */
  maxFlopsPerSubmission: number;
  maxBytesPerSubmission: number;
  maxQueuedFlopsPerProject: number;
  /** Origins allowed to call the API from a browser (MFSIM_CORS_ORIGINS, comma-separated; default none: CORS off). */
  corsOrigins: string[];
  /** Whether /metrics and /docs need a key when keys are on (MFSIM_PROTECT_METRICS / MFSIM_PROTECT_DOCS; default yes). */
  protectMetrics: boolean;
  protectDocs: boolean;
}

const num = (v: string | undefined, fallback: number) => {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n >= 0 ? n : fallback;
};
const bool = (v: string | undefined, fallback: boolean) => (v === undefined || v === '' ? fallback : !/^(0|false|no|off)$/i.test(v));

export function securityFromEnv(env: Record<string, string | undefined> = process.env): SecurityOptions {
  return {
    scheduleMinIntervalSeconds: num(env.MFSIM_SCHEDULE_MIN_INTERVAL_SECONDS, 60),
    authFailuresPerMinute: num(env.MFSIM_AUTH_FAILURES_PER_MINUTE, 30),
    sseStreamsPerKey: num(env.MFSIM_SSE_STREAMS_PER_KEY, 50),
    sseStreamsTotal: num(env.MFSIM_SSE_STREAMS_TOTAL, 2000),
    requestsInFlightPerKey: num(env.MFSIM_REQUESTS_IN_FLIGHT_PER_KEY, 8),
    // 1e15 FLOPs is about an hour of one worker at 3e11 FLOP/s; 4 GiB of records per submission
    // (1024 replicas x 1e5 recorded steps, about 9.5 GiB, is over); 1e16 queued.
    maxFlopsPerSubmission: num(env.MFSIM_MAX_FLOPS_PER_SUBMISSION, 1e15),
    maxBytesPerSubmission: num(env.MFSIM_MAX_BYTES_PER_SUBMISSION, 4 * 1024 ** 3),
    maxQueuedFlopsPerProject: num(env.MFSIM_MAX_QUEUED_FLOPS_PER_PROJECT, 1e16),
    corsOrigins: (env.MFSIM_CORS_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    protectMetrics: bool(env.MFSIM_PROTECT_METRICS, true),
    protectDocs: bool(env.MFSIM_PROTECT_DOCS, true),
  };
}

declare module 'fastify' {
  interface FastifyInstance {
    security: SecurityOptions;
  }
}
