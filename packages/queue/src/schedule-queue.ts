// Schedules as BullMQ job schedulers on the 'schedules' queue. The scheduler id is the schedule id,
// so upserting again (after a restart, or a resume) never makes a second one.
import { Queue, type ConnectionOptions } from 'bullmq';
import { QUEUE_PREFIX } from './connection.ts';
import { FIRING_RETENTION } from './retention.ts';

export const SCHEDULE_QUEUE = 'schedules';

export interface ScheduleFiringData {
  scheduleId: string;
}

export type ScheduleQueue = Queue<ScheduleFiringData, void, string>;

export function openScheduleQueue(connection: ConnectionOptions): ScheduleQueue {
  return new Queue(SCHEDULE_QUEUE, { connection, prefix: QUEUE_PREFIX });
}

/** Creates or updates the job scheduler of a schedule. */
export async function upsertScheduleFiring(queue: ScheduleQueue, s: { id: string; pattern: string; timeZone: string }): Promise<void> {
  await queue.upsertJobScheduler(
    s.id,
    { pattern: s.pattern, tz: s.timeZone },
    {
      name: 'fire-schedule',
      data: { scheduleId: s.id },
      opts: { attempts: 3, backoff: { type: 'exponential', delay: 1_000 }, ...FIRING_RETENTION },
    },
  );
}

/** Removes the job scheduler (pause, delete); true when there was one. */
export function removeScheduleFiring(queue: ScheduleQueue, scheduleId: string): Promise<boolean> {
  return queue.removeJobScheduler(scheduleId);
}

/** When the schedule fires next, or null when Redis has no scheduler for it. */
export async function nextScheduleFiring(queue: ScheduleQueue, scheduleId: string): Promise<Date | null> {
  const s = await queue.getJobScheduler(scheduleId);
  return s?.next ? new Date(s.next) : null;
}
