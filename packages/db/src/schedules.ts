// The schedules table: what a schedule fires (a sweep template) and whether it is paused.
// The firing itself lives in Redis as a BullMQ job scheduler with the same id.
import type { Database } from './client.ts';
import { afterNewestFirstCursor, NEWEST_FIRST, newestFirstPage } from './newest-first.ts';
import type { Schedule } from './generated/client.ts';
import { Prisma } from './generated/client.ts';

export type ScheduleRow = Schedule;

export function createSchedule(
  db: Database,
  s: { name?: string; pattern: string; timeZone: string; template: unknown },
): Promise<ScheduleRow> {
  return db.prisma.schedule.create({
    data: { name: s.name ?? null, pattern: s.pattern, timeZone: s.timeZone, template: s.template as Prisma.InputJsonValue },
  });
}

export function findSchedule(db: Database, id: string): Promise<ScheduleRow | null> {
  return db.prisma.schedule.findUnique({ where: { id } });
}

/** Newest first, `limit` per page. */
export async function listSchedules(db: Database, q: { limit: number; cursor?: string }): Promise<{ items: ScheduleRow[]; nextCursor: string | null }> {
  const rows = await db.prisma.schedule.findMany({ where: afterNewestFirstCursor(q.cursor), orderBy: NEWEST_FIRST, take: q.limit + 1 });
  return newestFirstPage(rows, q.limit);
}

/** Schedules that should be firing (not paused): what a starting process makes sure Redis has. */
export function activeSchedules(db: Database): Promise<ScheduleRow[]> {
  return db.prisma.schedule.findMany({ where: { paused: false } });
}

export function setSchedulePaused(db: Database, id: string, paused: boolean): Promise<ScheduleRow> {
  return db.prisma.schedule.update({ where: { id }, data: { paused } });
}

/** Deletes the schedule; the sweeps it made stay, unlinked. */
export async function deleteSchedule(db: Database, id: string): Promise<boolean> {
  const r = await db.prisma.schedule.deleteMany({ where: { id } });
  return r.count > 0;
}
