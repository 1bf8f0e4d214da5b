// The schedules table: what a schedule fires (a sweep template) and whether it is paused.
// The firing itself lives in Redis as a BullMQ job scheduler with the same id.
import type { Database } from './client.ts';
import { afterNewestFirstCursor, NEWEST_FIRST, newestFirstPage } from './newest-first.ts';
import type { Schedule } from './generated/client.ts';
import { Prisma } from './generated/client.ts';

export type ScheduleRow = Schedule;

export function createSchedule(
  db: Database,
  s: { name?: string; pattern: string; timeZone: string; template: unknown; project: string },
): Promise<ScheduleRow> {
  return db.prisma.schedule.create({
    data: { name: s.name ?? null, pattern: s.pattern, timeZone: s.timeZone, template: s.template as Prisma.InputJsonValue, project: s.project },
  });
}

/** The schedule, deleted ones too (`deletedAt`); null when it is not in `project` (the worker firing it passes none). */
export function findSchedule(db: Database, id: string, project?: string): Promise<ScheduleRow | null> {
  return db.prisma.schedule.findFirst({ where: { id, project } });
}

/** One project's schedules, newest first, `limit` per page; deleted ones only with `includeDeleted`. */
export async function listSchedules(
  db: Database, q: { project: string; limit: number; cursor?: string; includeDeleted?: boolean },
): Promise<{ items: ScheduleRow[]; nextCursor: string | null }> {
  const rows = await db.prisma.schedule.findMany({
    where: { project: q.project, ...(!q.includeDeleted && { deletedAt: null }), ...afterNewestFirstCursor(q.cursor) },
    orderBy: NEWEST_FIRST,
    take: q.limit + 1,
  });
  return newestFirstPage(rows, q.limit);
}

/** Schedules that should be firing (not paused): what a starting process makes sure Redis has. */
export function activeSchedules(db: Database): Promise<ScheduleRow[]> {
  return db.prisma.schedule.findMany({ where: { paused: false, deletedAt: null } });
}

/** Pauses or resumes a schedule of `project`; null when it has no such schedule or it was deleted. */
export async function setSchedulePaused(db: Database, id: string, paused: boolean, project: string): Promise<ScheduleRow | null> {
  const { count } = await db.prisma.schedule.updateMany({ where: { id, project, deletedAt: null }, data: { paused } });
  return count > 0 ? db.prisma.schedule.findFirst({ where: { id, project } }) : null;
}

/**
 * Marks a schedule of `project` deleted: it no longer fires and lists leave it out, while the sweeps
 * it made keep their `scheduleId` (a row removed would unlink them). False when it is not there or already deleted.
 */
export async function deleteSchedule(db: Database, id: string, project: string): Promise<boolean> {
  const r = await db.prisma.schedule.updateMany({ where: { id, project, deletedAt: null }, data: { deletedAt: new Date(), paused: true } });
  return r.count > 0;
}

/** Removes a schedule row that never fired (its creation failed half way). */
export async function discardSchedule(db: Database, id: string): Promise<void> {
  await db.prisma.schedule.deleteMany({ where: { id } });
}
