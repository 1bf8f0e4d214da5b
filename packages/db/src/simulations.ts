// The simulations table: creation by the API, state changes by the worker.
import type { Spec, SimulationStatus } from '@mfsim/contracts';
import type { Database } from './client.ts';
import type { Simulation } from './generated/client.ts';
import { Prisma } from './generated/client.ts';

export type SimulationRow = Simulation;

export interface NewSimulation {
  id?: string;
  spec: Spec;
  seed: number;
  totalSteps: number;
  priority?: number;
}

export function createSimulation(db: Database, s: NewSimulation): Promise<SimulationRow> {
  return db.prisma.simulation.create({
    data: {
      id: s.id,
      name: s.spec.name ?? null,
      tags: s.spec.tags,
      spec: s.spec as unknown as Prisma.InputJsonValue,
      seed: BigInt(s.seed),
      replicas: s.spec.replicas,
      width: s.spec.student.width,
      totalSteps: s.totalSteps,
      priority: s.priority ?? 0,
    },
  });
}

export function deleteSimulation(db: Database, id: string): Promise<unknown> {
  return db.prisma.simulation.delete({ where: { id } });
}

export function findSimulation(db: Database, id: string): Promise<SimulationRow | null> {
  return db.prisma.simulation.findUnique({ where: { id } });
}

export interface SimulationPage {
  items: SimulationRow[];
  nextCursor: string | null;
}

// The cursor is the (createdAt, id) of the last row of the page: stable under inserts.
const encodeCursor = (row: SimulationRow) =>
  Buffer.from(`${row.createdAt.toISOString()}|${row.id}`).toString('base64url');

export class InvalidCursorError extends Error {
  constructor() {
    super('cursor is not one this API returned');
    this.name = 'InvalidCursorError';
  }
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const createdAt = new Date(at ?? '');
  if (!id || Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new InvalidCursorError();
  return { createdAt, id };
}

/** Newest first, `limit` per page. */
export async function listSimulations(
  db: Database,
  q: { limit: number; cursor?: string; status?: SimulationStatus },
): Promise<SimulationPage> {
  const after = q.cursor ? decodeCursor(q.cursor) : undefined;
  const rows = await db.prisma.simulation.findMany({
    where: {
      status: q.status,
      ...(after && {
        OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }],
      }),
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: q.limit + 1,
  });
  const items = rows.slice(0, q.limit);
  return { items, nextCursor: rows.length > q.limit ? encodeCursor(items[items.length - 1]) : null };
}

/** queued -> running; also a resumed run (running again after a worker died). */
export function markRunning(db: Database, id: string, run: { backend: string; device: string }) {
  return db.prisma.simulation.update({
    where: { id },
    data: { status: 'running', backend: run.backend, device: run.device, startedAt: new Date(), error: null },
  });
}

export function updateProgress(db: Database, id: string, stepsDone: number, totalSteps: number) {
  return db.prisma.simulation.update({
    where: { id },
    data: { stepsDone, progress: totalSteps > 0 ? stepsDone / totalSteps : 1 },
  });
}

export interface Outcome {
  status: Extract<SimulationStatus, 'completed' | 'failed' | 'diverged' | 'cancelled'>;
  stepsDone?: number;
  error?: string;
  divergedAtStep?: number;
  runSeconds?: number;
}

export function markFinished(db: Database, id: string, o: Outcome) {
  return db.prisma.simulation.update({
    where: { id },
    data: {
      status: o.status,
      finishedAt: new Date(),
      error: o.error ?? null,
      divergedAtStep: o.divergedAtStep ?? null,
      runSeconds: o.runSeconds,
      ...(o.stepsDone !== undefined && { stepsDone: o.stepsDone }),
      ...(o.status === 'completed' && { progress: 1 }),
    },
  });
}
