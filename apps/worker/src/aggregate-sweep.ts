// The processor of a sweep's parent job: once every child has finished (or failed), aggregate
// the sweep from Postgres per series (children that differ only in width), store it, and mark
// the sweep completed; partial when some grid point has no statistics. A series' reference child
// (`reference` in the request) is not one of its widths: its mean loss is L_ref(t) for the excess fit.
import type { Job } from 'bullmq';
import { SWEEP_TRANSITIONS, sweepChildRole, sweepSeriesKey } from '@mfsim/contracts';
import {
  findSweep, markSweepFinished, readStatisticsInputs, sweepChildren, writeSimulationStatistics,
  writeSweepStatistics, writeUnstableAtStep, type Database, type StoredSweepStatistics, type SweepChildRow,
} from '@mfsim/db';
import type { SweepJobData } from '@mfsim/queue';
import { publishSweepEvent } from '@mfsim/lifecycle';
import type { Redis } from 'ioredis';
import { aggregateSweep, type SweepPoint } from '@mfsim/stats';
import { withRetry } from './retry.ts';

export interface AggregateDeps {
  db: Database;
  log: (msg: string, extra?: Record<string, unknown>) => void;
  /** Bootstrap resamples per time; default 1000. */
  resamples?: number;
  /** For the sweep's live events (its final status); best effort. */
  redis?: Redis;
}

export interface SweepAggregation {
  partial: boolean;
  series: number;
  rows: number;
}

/** The series' parameterization: its grid point's value, else the sweep base's, else mean-field. */
function parameterizationOf(base: unknown, point: unknown): 'mean-field' | 'ntk' {
  const fromPoint = (point as Record<string, unknown> | null)?.['student.parameterization'];
  const fromBase = ((base as { student?: { parameterization?: unknown } } | null)?.student)?.parameterization;
  return (fromPoint ?? fromBase) === 'ntk' ? 'ntk' : 'mean-field';
}

export async function aggregateSweepJob(job: Job<SweepJobData>, deps: AggregateDeps): Promise<void> {
  const result = await aggregateStoredSweep(deps, job.data.sweepId);
  if (result) deps.log('sweep aggregated', { id: job.data.sweepId, ...result });
}

/**
 * Aggregates one sweep from Postgres to stored statistics; null when the sweep is gone or some
 * child has not ended. Run again
 * after a retried child ends (its own aggregation job): each run replaces the sweep's statistics.
 */
export async function aggregateStoredSweep(deps: AggregateDeps, sweepId: string): Promise<SweepAggregation | null> {
  const { db } = deps;
  const sweep = await withRetry(() => findSweep(db, sweepId));
  if (!sweep) return null;
  const children = await withRetry(() => sweepChildren(db, sweepId));
  // An aggregation queued with only some children (recovery queued again the ones Redis lost) must
  // not report the others missing while they still run: it waits for the last of them. Recovery
  // queues the aggregation again once every child has ended (apps/api/src/recovery.ts).
  const unfinished = children.filter((c) => c.status === 'queued' || c.status === 'running');
  if (unfinished.length) {
    deps.log('sweep not aggregated yet: children still queued or running', { id: sweepId, unfinished: unfinished.length });
    return null;
  }

  const groups = new Map<string, SweepChildRow[]>();
  const references = new Map<string, SweepChildRow>();
  for (const child of children) {
    const point = (child.sweepPoint ?? {}) as Record<string, unknown>;
    const key = sweepSeriesKey(point);
    if (sweepChildRole(point) === 'reference') references.set(key, child);
    else groups.set(key, [...(groups.get(key) ?? []), child]);
  }

  // Only completed children count: a failed, diverged or cancelled point is reported missing.
  const completed = children.filter((c) => c.status === 'completed');
  const records = new Map(
    await Promise.all(
      completed.map(async (c) => [c.id, await withRetry(() => readStatisticsInputs(db, c.id, c.replicas))] as const),
    ),
  );

  const simulationRows: Parameters<typeof writeSimulationStatistics>[1] = [];
  const sweepRows: StoredSweepStatistics[] = [];
  const unstableRows: Parameters<typeof writeUnstableAtStep>[1] = [];
  let partial = completed.length < children.length;
  for (const [series, members] of groups) {
    const points: SweepPoint[] = members.map((c) => ({ width: c.width, records: records.get(c.id) ?? null }));
    const reference = references.get(series);
    // Every child of a sweep has the sweep's seed: replica r shares its seed across widths.
    const stats = aggregateSweep(points, {
      seed: Number(sweep.seed),
      resamples: deps.resamples,
      sharedSeeds: true,
      parameterization: parameterizationOf(sweep.base, members[0]?.sweepPoint),
      reference: reference ? { width: reference.width, records: records.get(reference.id) ?? null } : null,
    });
    for (const c of members) {
      const unstable = stats.instability.find((i) => i.width === c.width);
      if (records.has(c.id) && unstable) unstableRows.push({ simulationId: c.id, unstableAtStep: unstable.unstableAtStep });
    }
    partial ||= stats.partial;
    for (const c of members) {
      if (!records.has(c.id)) continue;
      simulationRows.push({ simulationId: c.id, rows: stats.rows.filter((r) => r.width === c.width).map(({ width: _w, ...row }) => row) });
    }
    const extrapolation = new Map(stats.extrapolation.map((e) => [e.step, e]));
    for (const s of stats.scaling) {
      sweepRows.push({
        series,
        step: s.step,
        time: s.time,
        alpha: s.alpha,
        alphaLower: s.interval?.lower ?? null,
        alphaUpper: s.interval?.upper ?? null,
        partial: s.partial,
        scaling: s,
        extrapolation: extrapolation.get(s.step) ?? null,
      });
    }
  }
  await withRetry(() => writeSimulationStatistics(db, simulationRows));
  await withRetry(() => writeUnstableAtStep(db, unstableRows));
  await withRetry(() => writeSweepStatistics(db, sweepId, sweepRows));
  await withRetry(() => markSweepFinished(db, sweepId, partial));
  // The final event of the sweep's stream: SSE clients see it and the stream ends.
  if (deps.redis) {
    await publishSweepEvent(deps.redis, { type: 'status', sweepId, status: SWEEP_TRANSITIONS.aggregate.to, partial, progress: 1 })
      .catch((err: Error) => deps.log('could not write sweep event', { id: sweepId, error: err.message }));
  }
  return { partial, series: groups.size, rows: sweepRows.length };
}
