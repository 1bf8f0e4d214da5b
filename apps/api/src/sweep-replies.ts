// Sweep and schedule rows as the API's replies (packages/contracts shapes).
import { sweepChildRole, type ScheduleReply, type SweepReply, type SweepRequest, type SweepStatus } from '@mfsim/contracts';
import type { ScheduleRow, SweepChildRow, SweepProgress, SweepRow } from '@mfsim/db';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

const childReply = (c: SweepChildRow) => ({
  simulationId: c.id,
  point: (c.sweepPoint ?? {}) as Record<string, unknown>,
  role: sweepChildRole(c.sweepPoint as Record<string, unknown> | null),
  width: c.width,
  status: c.status,
  progress: c.status === 'completed' ? 1 : c.progress,
  error: c.error,
});

// Stored: queued until aggregated (completed) or cancelled; shown as running once a child has left the queue.
function sweepStatus(row: SweepRow, counts: Record<string, number>): SweepStatus {
  if (row.status !== 'queued') return row.status;
  const started = Object.entries(counts).some(([status, n]) => status !== 'queued' && n > 0);
  return started ? 'running' : 'queued';
}

export function sweepSummaryReply(row: SweepRow, progress: SweepProgress | undefined): Omit<SweepReply, 'children' | 'missing'> {
  const counts = progress?.counts ?? {};
  return {
    id: row.id,
    name: row.name,
    status: sweepStatus(row, counts),
    progress: row.status === 'completed' ? 1 : (progress?.progress ?? 0),
    base: row.base as Record<string, unknown>,
    grid: row.grid as Record<string, unknown[]>,
    replicas: row.replicas,
    seed: Number(row.seed),
    reference: progress?.reference ?? null,
    partial: row.partial,
    counts,
    scheduleId: row.scheduleId,
    createdAt: row.createdAt.toISOString(),
    finishedAt: iso(row.finishedAt),
  };
}

export function sweepReply(row: SweepRow, progress: SweepProgress | undefined, children: SweepChildRow[]): SweepReply {
  const finished = row.status === 'completed' || row.status === 'cancelled';
  return {
    ...sweepSummaryReply(row, progress),
    missing: finished ? children.filter((c) => c.status !== 'completed').map(childReply) : [],
    children: children.map(childReply),
  };
}

export function scheduleReply(row: ScheduleRow, nextFireAt: Date | null, sweeps: number): ScheduleReply {
  return {
    id: row.id,
    name: row.name,
    pattern: row.pattern,
    timeZone: row.timeZone,
    sweep: row.template as SweepRequest,
    paused: row.paused,
    nextFireAt: row.paused ? null : iso(nextFireAt),
    sweeps,
    createdAt: row.createdAt.toISOString(),
    deletedAt: iso(row.deletedAt),
  };
}
