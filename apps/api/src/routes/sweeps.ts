// /v1/sweeps: submit a grid of simulations as one flow, list, read, cancel; and the statistics
// (per simulation, per sweep, the scaling at a time), computed once by the worker and stored.
import type { FastifyInstance } from 'fastify';
import {
  apiRoutes, FINAL_STATUSES, idSchema, SIMULATION_TRANSITIONS, SWEEP_TRANSITIONS, sweepChildRole, sweepMay, sweepSeriesKey,
} from '@mfsim/contracts';
import {
  cancelSweep, findSimulation, findSweep, InvalidCursorError, listSweeps, nearestSweepStatistics,
  readSimulationStatistics, readStatisticsOf, readSweepStatistics, sweepChildren, sweepProgress, sweepSeries, type SweepProgress, type WrittenSweep,
} from '@mfsim/db';
import { requestCancel } from '@mfsim/queue';
import { publishSweepEvent } from '@mfsim/lifecycle';
import { projectOf } from '../auth.ts';
import { NotFoundError, RequestError } from '../errors.ts';
import { idempotentWrite } from '../idempotency.ts';
import { route } from '../route.ts';
import { sweepReply, sweepSummaryReply } from '../sweep-replies.ts';
import { submitSweep } from '../sweep-submission.ts';

/** The sweep of `project` (another project's id answers 404, as an unknown one does). */
async function sweepOr404(app: FastifyInstance, id: string, project: string) {
  const row = idSchema.safeParse(id).success ? await findSweep(app.deps.db, id, project) : null;
  if (!row) throw new NotFoundError(`sweep ${id}`);
  return row;
}

/** The sweep's live events of a cancel: each child cancelled here, then the sweep's final status. */
async function sweepCancelledEvents(
  app: FastifyInstance, sweepId: string, cancelledIds: string[], children: Awaited<ReturnType<typeof sweepChildren>>, progress: SweepProgress | undefined,
) {
  const at = new Date().toISOString();
  const overall = { sweepProgress: progress?.progress ?? 0, counts: progress?.counts ?? {} };
  const redis = app.deps.redis;
  try {
    for (const c of children.filter((c) => cancelledIds.includes(c.id))) {
      const point = (c.sweepPoint ?? {}) as Record<string, unknown>;
      await publishSweepEvent(redis, { type: 'child', sweepId, simulationId: c.id, point, width: c.width, status: SIMULATION_TRANSITIONS.cancel.to, ...overall, at });
    }
    await publishSweepEvent(redis, { type: 'status', sweepId, status: SWEEP_TRANSITIONS.cancel.to, progress: overall.sweepProgress, counts: overall.counts, at });
  } catch (err) {
    app.log.warn({ err }, 'could not write the sweep events of a cancel');
  }
}

const notYet = (what: string, status: string) =>
  new RequestError(409, `${what} has no statistics yet (status ${status}); they are stored when it finishes`);

/**
 * 409 for a sweep without statistics. A sweep is stored `queued` until aggregated, so the status is
 * not named here (GET /v1/sweeps/{id} derives queued or running from its children); a cancelled
 * sweep will never have them, and says so, so that a client stops asking.
 */
const sweepNotYet = (sweep: { id: string; status: string }) =>
  sweep.status === 'cancelled'
    ? new RequestError(409, `sweep ${sweep.id} was cancelled before its statistics were stored; it will not have any`)
    : new RequestError(409, `sweep ${sweep.id} has no statistics yet; they are stored when all its simulations have ended`);

export default async function sweepRoutes(app: FastifyInstance) {
  const flows = app.deps.flows;

  route(app, apiRoutes.sweeps.submit, async (request, reply) => {
    // With an Idempotency-Key, the reply a retry replays is recorded in the sweep's own transaction.
    const idempotent = idempotentWrite<WrittenSweep>(request, 201, (w) => ({
      headers: { location: `/v1/sweeps/${w.sweep.id}` }, body: sweepReply(w.sweep, w.progress, w.children),
    }));
    const row = await submitSweep(app.deps, flows, request.body, projectOf(request), { idempotent });
    reply.status(201).header('Location', `/v1/sweeps/${row.id}`);
    const [children, progress] = await Promise.all([sweepChildren(app.deps.db, row.id), sweepProgress(app.deps.db, [row.id])]);
    return sweepReply(row, progress.get(row.id), children);
  });

  route(app, apiRoutes.sweeps.list, async (request) => {
    const q = request.query;
    try {
      const page = await listSweeps(app.deps.db, { ...q, project: projectOf(request) });
      const progress = await sweepProgress(app.deps.db, page.items.map((s) => s.id));
      return { items: page.items.map((s) => sweepSummaryReply(s, progress.get(s.id))), nextCursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new RequestError(400, err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  });

  route(app, apiRoutes.sweeps.get, async (request) => {
    const row = await sweepOr404(app, request.params.id, projectOf(request));
    const [children, progress] = await Promise.all([sweepChildren(app.deps.db, row.id), sweepProgress(app.deps.db, [row.id])]);
    return sweepReply(row, progress.get(row.id), children);
  });

  // Every child not yet finished is cancelled: queued ones end when a worker takes them, running
  // ones are told (as POST /v1/simulations/{id}/cancel does) and stop after the chunk in hand.
  route(app, apiRoutes.sweeps.cancel, async (request) => {
    const before = await sweepOr404(app, request.params.id, projectOf(request));
    if (!sweepMay(before.status, 'cancel') && before.status !== SWEEP_TRANSITIONS.cancel.to) {
      throw new RequestError(409, `sweep ${before.id} has already ${before.status}`);
    }
    const cancelled = await cancelSweep(app.deps.db, before.id, before.project);
    for (const id of cancelled) await requestCancel(app.deps.redis, id);
    const row = await sweepOr404(app, before.id, before.project);
    const [children, progress] = await Promise.all([sweepChildren(app.deps.db, row.id), sweepProgress(app.deps.db, [row.id])]);
    await sweepCancelledEvents(app, row.id, cancelled, children, progress.get(row.id));
    return sweepReply(row, progress.get(row.id), children);
  });

  route(app, apiRoutes.simulations.statistics, async (request) => {
    const id = request.params.id;
    const row = idSchema.safeParse(id).success ? await findSimulation(app.deps.db, id, projectOf(request)) : null;
    if (!row) throw new NotFoundError(`simulation ${id}`);
    const rows = await readSimulationStatistics(app.deps.db, row.id);
    if (rows.length === 0) {
      if (!FINAL_STATUSES.includes(row.status)) throw notYet(`simulation ${row.id}`, row.status);
      throw new NotFoundError(`statistics of simulation ${row.id} (status ${row.status})`);
    }
    return { simulationId: row.id, width: row.width, replicas: row.replicas, unstableAtStep: (row.unstableAtStep as (number | null)[] | null) ?? null, rows };
  });

  route(app, apiRoutes.sweeps.statistics, async (request) => {
    const sweep = await sweepOr404(app, request.params.id, projectOf(request));
    const stored = await readSweepStatistics(app.deps.db, sweep.id);
    if (stored.length === 0 && sweep.status !== 'completed') throw sweepNotYet(sweep);
    const children = await sweepChildren(app.deps.db, sweep.id);
    const stats = await readStatisticsOf(app.deps.db, children.map((c) => c.id));
    const series = new Map<string, typeof children>();
    const references = new Map<string, (typeof children)[number]>();
    for (const c of children) {
      const point = (c.sweepPoint ?? {}) as Record<string, unknown>;
      const key = sweepSeriesKey(point);
      // The reference run is not one of the series' widths (nor of its plain scaling).
      if (sweepChildRole(point) === 'reference') references.set(key, c);
      else series.set(key, [...(series.get(key) ?? []), c]);
    }
    return {
      sweepId: sweep.id,
      status: sweep.status,
      partial: sweep.partial,
      series: [...series].map(([key, members]) => {
        const sorted = [...members].sort((a, b) => a.width - b.width);
        return {
          series: JSON.parse(key) as Record<string, unknown>,
          widths: sorted.map((c) => c.width),
          missingWidths: sorted.filter((c) => c.status !== 'completed').map((c) => c.width),
          partial: sorted.some((c) => c.status !== 'completed') || stored.some((s) => s.series === key && s.partial),
          byWidth: sorted
            .filter((c) => c.status === 'completed')
            .map((c) => ({ width: c.width, simulationId: c.id, status: c.status, rows: stats.get(c.id) ?? [] })),
          reference: ((r) => (r ? { width: r.width, simulationId: r.id, status: r.status, rows: stats.get(r.id) ?? [] } : null))(references.get(key)),
          scaling: stored.filter((s) => s.series === key).map((s) => s.scaling),
          extrapolation: stored.filter((s) => s.series === key && s.extrapolation !== null).map((s) => s.extrapolation),
        };
      }),
    };
  });

  route(app, apiRoutes.sweeps.scaling, async (request) => {
    const q = request.query;
    const sweep = await sweepOr404(app, request.params.id, projectOf(request));
    const all = await sweepSeries(app.deps.db, sweep.id);
    if (all.length === 0) throw sweepNotYet(sweep);
    let series = all[0];
    if (q.series !== undefined) {
      let key: string;
      try {
        key = sweepSeriesKey(JSON.parse(q.series) as Record<string, unknown>);
      } catch {
        throw new RequestError(400, 'series must be JSON', [{ path: 'series', message: 'must be a JSON object of grid values' }]);
      }
      if (!all.includes(key)) {
        throw new RequestError(400, `no series ${key}`, [{ path: 'series', message: `not a series of this sweep; one of ${all.join(', ')}` }]);
      }
      series = key;
    }
    const row = await nearestSweepStatistics(app.deps.db, sweep.id, series, q.time ?? null); // no time: the last recorded
    if (!row) throw sweepNotYet(sweep);
    const scaling = row.scaling as { time: number };
    return { sweepId: sweep.id, series: JSON.parse(series), requestedTime: q.time ?? null, snapped: q.time !== undefined && q.time !== scaling.time, ...scaling };
  });
}
