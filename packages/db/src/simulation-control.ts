// Status changes asked for by a client: cancel and retry. Each is one conditional UPDATE, so a
// cancel racing with the worker's own final write leaves exactly one of them in place.
import { SIMULATION_TRANSITIONS as T } from '@mfsim/contracts';
import type { Database } from './client.ts';
import type { SimulationRow } from './simulations.ts';

/** queued|running -> cancelled. Returns the row before the change, or null when it was not in either state (or not in `project`). */
export async function markCancelled(db: Database, id: string, project: string): Promise<SimulationRow | null> {
  const before = await db.prisma.simulation.findFirst({ where: { id, project } });
  if (!before) return null;
  const { count } = await db.prisma.simulation.updateMany({
    where: { id, project, status: { in: [...T.cancel.from] } },
    data: { status: T.cancel.to, finishedAt: new Date() },
  });
  return count > 0 ? before : null;
}

/** failed|cancelled -> queued, keeping what was computed; false when it was in neither state (or not in `project`). */
export async function markRequeued(db: Database, id: string, project: string): Promise<boolean> {
  const { count } = await db.prisma.simulation.updateMany({
    where: { id, project, status: { in: [...T.retry.from] } },
    // A retry starts the count of worker deaths again (a quarantined run is run once more).
    data: { status: T.retry.to, error: null, finishedAt: null, divergedAtStep: null, workerDeaths: 0, claimStep: null, leaseOwner: null, leaseExpiresAt: null },
  });
  return count > 0;
}

/**
 * A simulation whose job was lost (e.g. its worker died more times than a job may stall) and that
 * no runner finished: failed, with the reason. Returns false when the row was already final.
 */
export async function markLost(db: Database, id: string, reason: string): Promise<boolean> {
  const { count } = await db.prisma.simulation.updateMany({
    where: { id, status: { in: [...T.fail.from] } },
    data: { status: T.fail.to, error: reason, finishedAt: new Date() },
  });
  return count > 0;
}

/** Simulations waiting for a worker (status `queued`), oldest first: what a lost queue must hold. */
export function queuedSimulations(db: Database): Promise<{ id: string; sweepId: string | null; spec: unknown }[]> {
  return db.prisma.simulation.findMany({
    where: { status: 'queued' },
    select: { id: true, sweepId: true, spec: true },
    orderBy: { createdAt: 'asc' },
  });
}
