// GET /metrics in the Prometheus text format: queue depths (read from BullMQ at scrape time), the
// job counters and steps per second that workers keep in Redis (packages/queue job-metrics.ts), and
// the workers alive per kind. It answers within a second while Redis is down: `mfsim_redis_up 0`,
// and the Redis-held series are left out (unknown, not zero).
import type { FastifyInstance } from 'fastify';
import { readJobMetrics } from '@mfsim/queue';
import { apiRoutes } from '@mfsim/contracts';
import { route } from './route.ts';
import { within, workerCensus } from './worker-census.ts';

const STATES = ['waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed'] as const;

export default async function metricsRoutes(app: FastifyInstance) {
  route(app, apiRoutes.ops.metrics, async (_request, reply) => {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [Record<string, string>, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, v] of samples) {
        const l = Object.entries(labels).map(([k, x]) => `${k}="${x}"`).join(',');
        lines.push(`${name}${l ? `{${l}}` : ''} ${Number.isFinite(v) ? v : 0}`);
      }
    };
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    const budgetMs = 800; // the reads run at once: the scrape answers within about this
    const [counted, m, census] = await Promise.all([
      within(Promise.all(Object.entries(app.deps.queues).map(async ([kind, queue]) => [kind, queue.name, await queue.getJobCounts(...STATES)] as const)), budgetMs),
      within(readJobMetrics(app.deps.redis), budgetMs),
      workerCensus(app.deps, budgetMs),
    ]);
    const up = counted !== undefined && m !== undefined;
    metric('mfsim_redis_up', 'gauge', 'Whether Redis answered this scrape within its budget (0: the Redis-held series below are unknown and left out).', [[{}, up ? 1 : 0]]);
    if (census.workers) {
      metric('mfsim_workers_alive', 'gauge', 'Workers connected to their queue now, by kind.', Object.entries(census.workers).map(([kind, n]) => [{ kind }, n]));
      metric('mfsim_queue_without_workers', 'gauge', '1 when a queue has waiting jobs and no worker alive.', Object.entries(census.workers).map(([kind, n]) => [{ kind }, n === 0 && (census.waiting?.[kind] ?? 0) > 0 ? 1 : 0]));
    }
    if (!counted || !m) return lines.join('\n') + '\n';
    const depths: [Record<string, string>, number][] = [];
    for (const [kind, name, counts] of counted) {
      for (const state of STATES) depths.push([{ queue: name, kind, state }, counts[state] ?? 0]);
    }
    metric('mfsim_queue_jobs', 'gauge', 'Jobs in each queue by state.', depths);
    const c = (k: string) => m.counters[k] ?? 0;
    metric('mfsim_jobs_started_total', 'counter', 'Simulation runs started (a resume counts again).', [[{}, c('jobs_started')]]);
    metric('mfsim_jobs_completed_total', 'counter', 'Simulations completed.', [[{}, c('jobs_completed')]]);
    metric('mfsim_jobs_failed_total', 'counter', 'Simulations failed or diverged.', [[{}, c('jobs_failed')]]);
    metric('mfsim_jobs_cancelled_total', 'counter', 'Simulations cancelled while running.', [[{}, c('jobs_cancelled')]]);
    metric('mfsim_steps_total', 'counter', 'Dynamics steps done by all workers.', [[{}, c('steps')]]);
    metric('mfsim_steps_per_second', 'gauge', 'Steps per second of the workers now running, summed.', [[{}, m.stepsPerSecond]]);
    metric('mfsim_busy_workers', 'gauge', 'Workers that reported a chunk in the last 30 s.', [[{}, m.busyWorkers]]);
    return lines.join('\n') + '\n';
  });
}
