// The sweeps table and its children: a sweep and all its simulations are written in one transaction.
import { randomUUID } from 'node:crypto';
import { SIMULATION_TRANSITIONS, SWEEP_TRANSITIONS, sweepChildRole, sweepPointIndex, type Spec } from '@mfsim/contracts';
import type { Database } from './client.ts';
import { recordIdempotentReply, releaseIdempotencyKeyIn, type HeldIdempotencyKey, type IdempotentWrite } from './idempotency.ts';
import type { Simulation, Sweep } from './generated/client.ts';
import { Prisma } from './generated/client.ts';
import { afterNewestFirstCursor, NEWEST_FIRST, newestFirstPage } from './newest-first.ts';

export type SweepRow = Sweep;
export type SweepChildRow = Pick<
  Simulation,
  'id' | 'status' | 'progress' | 'stepsDone' | 'totalSteps' | 'width' | 'replicas' | 'sweepPoint' | 'error' | 'createdAt'
>;

export interface NewSweep {
  name?: string;
  base: Record<string, unknown>;
  grid: Record<string, unknown[]>;
  replicas: number;
  seed: number;
  scheduleId?: string;
  /** The schedule firing (BullMQ job id) that made it; a second sweep for the same firing is refused. */
  firingId?: string;
  /** The owning project, of the sweep and every child; default "default". */
  project?: string;
  points: { point: Record<string, unknown>; spec: Spec }[];
}

const json = (v: unknown) => v as Prisma.InputJsonValue;

/** A sweep as just written, for the reply an Idempotency-Key replays: the row, its children in grid order, their progress. */
export interface WrittenSweep {
  sweep: SweepRow;
  children: SweepChildRow[];
  progress: SweepProgress;
}

/**
 * Writes the sweep and one queued simulation per grid point; returns the sweep and the child ids in
 * grid order. With `idempotent` (a POST holding an Idempotency-Key), the key's reply is recorded in
 * the same transaction (see recordIdempotentReply): the sweep, its children and the record commit
 * together or not at all.
 */
export async function createSweep(
  db: Database, s: NewSweep, o: { idempotent?: IdempotentWrite<WrittenSweep> } = {},
): Promise<{ sweep: SweepRow; childIds: string[] }> {
  const idempotent = o.idempotent;
  return db.prisma.$transaction(async (tx) => {
    const sweep = await tx.sweep.create({
      data: {
        name: s.name ?? null,
        base: json(s.base),
        grid: json(s.grid),
        replicas: s.replicas,
        seed: BigInt(s.seed),
        scheduleId: s.scheduleId,
        firingId: s.firingId,
        project: s.project,
      },
    });
    const childIds = s.points.map(() => randomUUID());
    await tx.simulation.createMany({
      data: s.points.map(({ point, spec }, i) => ({
        id: childIds[i],
        name: spec.name ?? null,
        tags: spec.tags,
        spec: json(spec),
        seed: BigInt(spec.seed ?? s.seed),
        replicas: spec.replicas,
        width: spec.student.width,
        dt: spec.training.dt,
        dynamics: spec.training.dynamics,
        totalSteps: spec.training.steps,
        sweepId: sweep.id,
        sweepPoint: json(point),
        project: sweep.project,
      })),
    });
    if (idempotent) {
      const children = await sweepChildrenIn(tx, sweep.id);
      const progress = (await sweepProgressIn(tx, [sweep.id])).get(sweep.id)!;
      await recordIdempotentReply(tx, idempotent, idempotent.reply({ sweep, children, progress }));
    }
    return { sweep, childIds };
    // Prisma's default of 5 s is too short for a sweep of 512 children on a loaded host (measured:
    // 7-10 s at load 15-30 on 2 cores, then the submission failed with a 500).
  }, { timeout: 60_000, maxWait: 10_000 });
}

/** Removes a sweep and its children (when its flow could not be queued); with `idempotent`, the key's record goes in the same transaction. */
export async function deleteSweep(db: Database, id: string, o: { idempotent?: HeldIdempotencyKey } = {}): Promise<void> {
  const idempotent = o.idempotent;
  await db.prisma.$transaction(async (tx) => {
    await tx.simulation.deleteMany({ where: { sweepId: id } });
    await tx.sweep.delete({ where: { id } });
    if (idempotent) await releaseIdempotencyKeyIn(tx, idempotent);
  });
}

/** The sweep; null when it is not in `project` (the worker, acting on ids the API made, passes none). */
export function findSweep(db: Database, id: string, project?: string): Promise<SweepRow | null> {
  return db.prisma.sweep.findFirst({ where: { id, project } });
}

export function findSweepByFiring(db: Database, firingId: string): Promise<SweepRow | null> {
  return db.prisma.sweep.findUnique({ where: { firingId } });
}

/** The children in grid order (last grid path varies fastest), then the reference children (`reference` in the request). */
export function sweepChildren(db: Database, sweepId: string): Promise<SweepChildRow[]> {
  return sweepChildrenIn(db.prisma, sweepId);
}

/** sweepChildren on a client or inside a transaction. */
async function sweepChildrenIn(client: Prisma.TransactionClient, sweepId: string): Promise<SweepChildRow[]> {
  const [sweep, children] = await Promise.all([
    client.sweep.findUnique({ where: { id: sweepId }, select: { grid: true } }),
    childRows(client, sweepId),
  ]);
  const grid = (sweep?.grid ?? {}) as Record<string, unknown[]>;
  const order = new Map(children.map((c) => {
    const point = (c.sweepPoint ?? {}) as Record<string, unknown>;
    return [c.id, sweepChildRole(point) === 'reference' ? Number.MAX_SAFE_INTEGER : sweepPointIndex(grid, point)];
  }));
  return children.sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

/** Each child's id and stored spec (to place it on a queue again). */
export function sweepChildSpecs(db: Database, sweepId: string): Promise<{ id: string; spec: unknown }[]> {
  return db.prisma.simulation.findMany({ where: { sweepId }, select: { id: true, spec: true }, orderBy: { createdAt: 'asc' } });
}

function childRows(client: Prisma.TransactionClient, sweepId: string): Promise<SweepChildRow[]> {
  return client.simulation.findMany({
    where: { sweepId },
    select: {
      id: true, status: true, progress: true, stepsDone: true, totalSteps: true, width: true, replicas: true,
      sweepPoint: true, error: true, createdAt: true,
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
  });
}

export interface SweepProgress {
  sweepId: string;
  progress: number;
  counts: Record<string, number>;
  /** The width and replicas of its reference child (every series' is the same); null without one. */
  reference: { width: number; replicas: number } | null;
}

/**
 * Progress and child counts per status of many sweeps in one query (for list pages); with
 * `reference: false` (a worker's child events), without the reference child's width (one query less).
 */
export async function sweepProgress(db: Database, sweepIds: string[], o: { reference?: boolean } = {}): Promise<Map<string, SweepProgress>> {
  if (sweepIds.length === 0) return foldProgress(sweepIds, [], []);
  const [{ rows }, references] = await Promise.all([
    db.pool.query<StatusCountRow>(STATUS_COUNTS, [sweepIds]),
    o.reference === false ? { rows: [] } : db.pool.query<ReferenceRow>(REFERENCE_CHILDREN, [sweepIds]),
  ]);
  return foldProgress(sweepIds, rows, references.rows);
}

/** sweepProgress inside a transaction (the reply a new sweep's Idempotency-Key records): the same statements. */
async function sweepProgressIn(tx: Prisma.TransactionClient, sweepIds: string[]): Promise<Map<string, SweepProgress>> {
  const rows = await tx.$queryRawUnsafe<StatusCountRow[]>(STATUS_COUNTS, sweepIds);
  const references = await tx.$queryRawUnsafe<ReferenceRow[]>(REFERENCE_CHILDREN, sweepIds);
  return foldProgress(sweepIds, rows, references);
}

interface StatusCountRow { sweepId: string; status: string; n: string | bigint; progress: number }
interface ReferenceRow { sweepId: string; width: number; replicas: number }
const STATUS_COUNTS = `SELECT "sweepId"::text AS "sweepId", status::text AS status, count(*) AS n, sum(progress)::float8 AS progress
  FROM simulations WHERE "sweepId" = ANY($1::uuid[]) GROUP BY "sweepId", status`;
const REFERENCE_CHILDREN = `SELECT DISTINCT ON ("sweepId") "sweepId"::text AS "sweepId", width, replicas
  FROM simulations WHERE "sweepId" = ANY($1::uuid[]) AND "sweepPoint"->>'role' = 'reference'`;

function foldProgress(sweepIds: string[], rows: StatusCountRow[], references: ReferenceRow[]): Map<string, SweepProgress> {
  const out = new Map<string, SweepProgress>(sweepIds.map((id) => [id, { sweepId: id, progress: 0, counts: {}, reference: null }]));
  for (const r of references) out.get(r.sweepId)!.reference = { width: r.width, replicas: r.replicas };
  const totals = new Map<string, { n: number; progress: number }>();
  for (const r of rows) {
    const p = out.get(r.sweepId)!;
    p.counts[r.status] = Number(r.n);
    const t = totals.get(r.sweepId) ?? { n: 0, progress: 0 };
    // A child that ended by itself (failed, diverged) counts as done whatever its progress; a
    // cancelled one counts what it ran, so a cancelled sweep shows how far it got, not 100%.
    const done = ['failed', 'diverged'].includes(r.status) ? Number(r.n) : Number(r.progress);
    totals.set(r.sweepId, { n: t.n + Number(r.n), progress: t.progress + done });
  }
  for (const [id, t] of totals) out.get(id)!.progress = t.n > 0 ? t.progress / t.n : 0;
  return out;
}

/** One project's sweeps, newest first, `limit` per page; optionally only those of one schedule. */
export async function listSweeps(
  db: Database,
  q: { project: string; limit: number; cursor?: string; scheduleId?: string },
): Promise<{ items: SweepRow[]; nextCursor: string | null }> {
  const rows = await db.prisma.sweep.findMany({
    where: { project: q.project, scheduleId: q.scheduleId, ...afterNewestFirstCursor(q.cursor) },
    orderBy: NEWEST_FIRST,
    take: q.limit + 1,
  });
  return newestFirstPage(rows, q.limit);
}

export function countSweepsOfSchedule(db: Database, scheduleId: string): Promise<number> {
  return db.prisma.sweep.count({ where: { scheduleId } });
}

/** The sweep's statistics are stored: completed (unless cancelled meanwhile), partial or not. */
export async function markSweepFinished(db: Database, id: string, partial: boolean): Promise<void> {
  await db.prisma.sweep.updateMany({
    where: { id, status: { not: 'cancelled' } },
    data: { status: 'completed', partial, finishedAt: new Date() },
  });
  await db.prisma.sweep.updateMany({ where: { id, status: 'cancelled' }, data: { partial } });
}

/** A finished (completed or cancelled) sweep runs again: one of its children was retried. */
export async function reopenSweep(db: Database, id: string): Promise<void> {
  await db.prisma.sweep.updateMany({ where: { id, status: { in: [...SWEEP_TRANSITIONS.reopen.from] } }, data: { status: SWEEP_TRANSITIONS.reopen.to, finishedAt: null } });
}

/** Cancels a sweep of `project`: its children still queued become cancelled (a worker skips them). Returns their ids. */
export async function cancelSweep(db: Database, id: string, project: string): Promise<string[]> {
  return db.prisma.$transaction(async (tx) => {
    await tx.sweep.updateMany({ where: { id, project, status: { in: [...SWEEP_TRANSITIONS.cancel.from] } }, data: { status: SWEEP_TRANSITIONS.cancel.to, finishedAt: new Date() } });
    // Running children too: their workers see the status (and a cancel message) and stop after the chunk in hand.
    const open = await tx.simulation.findMany({ where: { sweepId: id, project, status: { in: [...SIMULATION_TRANSITIONS.cancel.from] } }, select: { id: true } });
    await tx.simulation.updateMany({
      where: { sweepId: id, project, status: { in: [...SIMULATION_TRANSITIONS.cancel.from] } },
      data: { status: SIMULATION_TRANSITIONS.cancel.to, finishedAt: new Date(), error: 'sweep cancelled' },
    });
    return open.map((r) => r.id);
  });
}
