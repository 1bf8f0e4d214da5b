// GET /metrics in the Prometheus text format: queue depths (read from BullMQ at scrape time), and
// the job counters and steps per second that workers keep in Redis (packages/queue job-metrics.ts).
import type { FastifyInstance } from 'fastify';
import { readJobMetrics } from '@mfsim/queue';
import { apiRoutes } from '@mfsim/contracts';
import { route } from './route.ts';

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
    const depths: [Record<string, string>, number][] = [];
    for (const [kind, queue] of Object.entries(app.deps.queues)) {
      const counts = await queue.getJobCounts(...STATES);
      for (const state of STATES) depths.push([{ queue: queue.name, kind, state }, counts[state] ?? 0]);
    }
    metric('mfsim_queue_jobs', 'gauge', 'Jobs in each queue by state.', depths);
    const m = await readJobMetrics(app.deps.redis);
    const c = (k: string) => m.counters[k] ?? 0;
    metric('mfsim_jobs_started_total', 'counter', 'Simulation runs started (a resume counts again).', [[{}, c('jobs_started')]]);
    metric('mfsim_jobs_completed_total', 'counter', 'Simulations completed.', [[{}, c('jobs_completed')]]);
    metric('mfsim_jobs_failed_total', 'counter', 'Simulations failed or diverged.', [[{}, c('jobs_failed')]]);
    metric('mfsim_jobs_cancelled_total', 'counter', 'Simulations cancelled while running.', [[{}, c('jobs_cancelled')]]);
    metric('mfsim_steps_total', 'counter', 'Dynamics steps done by all workers.', [[{}, c('steps')]]);
    metric('mfsim_steps_per_second', 'gauge', 'Steps per second of the workers now running, summed.', [[{}, m.stepsPerSecond]]);
    metric('mfsim_busy_workers', 'gauge', 'Workers that reported a chunk in the last 30 s.', [[{}, m.busyWorkers]]);
    reply.type('text/plain; version=0.0.4; charset=utf-8');
    return lines.join('\n') + '\n';
  });
}
