// /v1/schedules: sweeps fired on a cron pattern by BullMQ job schedulers (one per schedule, with
// the schedule's id). Postgres holds what a schedule is; Redis holds when it fires next. At start
// the API upserts the scheduler of every active schedule, so a lost Redis loses no schedule, and
// an upsert under the same id never makes a second one.
import type { FastifyInstance } from 'fastify';
import { apiRoutes, idSchema } from '@mfsim/contracts';
import {
  activeSchedules, countSweepsOfSchedule, createSchedule, deleteSchedule, discardSchedule, findSchedule, InvalidCursorError, listSchedules,
  setSchedulePaused, type ScheduleRow,
} from '@mfsim/db';
import { nextScheduleFiring, openScheduleQueue, removeScheduleFiring, shortestFiringGapMs, upsertScheduleFiring } from '@mfsim/queue';
import { projectOf } from '../auth.ts';
import { NotFoundError, RequestError } from '../errors.ts';
import { route } from '../route.ts';
import { checkSweepRequest } from '../sweep-submission.ts';
import { scheduleReply } from '../sweep-replies.ts';

/** A 400 naming `pattern` when the cron parser cannot read it or it fires more often than the minimum interval. */
function checkScheduleInterval(pattern: string, timeZone: string, minSeconds: number) {
  const gap = shortestFiringGapMs(pattern, timeZone);
  if (gap instanceof Error) throw new RequestError(400, `invalid pattern: ${gap.message}`, [{ path: 'pattern', message: gap.message }]);
  if (gap < minSeconds * 1000) {
    const message = `fires every ${gap / 1000} s at times; the minimum interval between firings is ${minSeconds} s (MFSIM_SCHEDULE_MIN_INTERVAL_SECONDS)`;
    throw new RequestError(400, `pattern ${message}`, [{ path: 'pattern', message }]);
  }
}

export default async function scheduleRoutes(app: FastifyInstance) {
  const queue = openScheduleQueue(app.deps.queues.cpu.opts.connection);
  app.addHook('onClose', () => queue.close());
  app.addHook('onReady', async () => {
    try {
      for (const s of await activeSchedules(app.deps.db)) await upsertScheduleFiring(queue, s);
    } catch (err) {
      app.log.error({ err }, 'could not restore the schedules; they are restored at the next start');
    }
  });

  const reply = async (row: ScheduleRow) =>
    scheduleReply(row, await nextScheduleFiring(queue, row.id), await countSweepsOfSchedule(app.deps.db, row.id));

  /** The schedule of `project` (another project's id answers 404, as an unknown one does). */
  async function scheduleOr404(id: string, project: string) {
    const row = idSchema.safeParse(id).success ? await findSchedule(app.deps.db, id, project) : null;
    if (!row) throw new NotFoundError(`schedule ${id}`);
    return row;
  }
  /** The schedule, unless it was deleted (409: a deleted schedule keeps its record but never fires again). */
  async function liveScheduleOr409(id: string, project: string, action: string) {
    const row = await scheduleOr404(id, project);
    if (row.deletedAt) throw new RequestError(409, `schedule ${id} was deleted at ${row.deletedAt.toISOString()}; it cannot be ${action}`);
    return row;
  }
  const pausedOr404 = async (row: ScheduleRow, paused: boolean) =>
    (await setSchedulePaused(app.deps.db, row.id, paused, row.project)) ?? Promise.reject(new RequestError(409, `schedule ${row.id} was deleted meanwhile`));

  route(app, apiRoutes.schedules.create, async (request, res) => {
    const body = request.body;
    checkScheduleInterval(body.pattern, body.timeZone, app.security.scheduleMinIntervalSeconds);
    // The template is checked as a sweep now, so a firing never meets a bad spec.
    const project = projectOf(request);
    await checkSweepRequest(app.deps, body.sweep, project, 'sweep.');
    const row = await createSchedule(app.deps.db, { name: body.name, pattern: body.pattern, timeZone: body.timeZone, template: body.sweep, project });
    try {
      await upsertScheduleFiring(queue, row);
    } catch (err) {
      await discardSchedule(app.deps.db, row.id);
      const message = (err as Error).message;
      // BullMQ refuses a pattern its cron parser cannot read.
      if (/cron|pattern|invalid|Unknown|Constraint/i.test(message)) throw new RequestError(400, `invalid pattern: ${message}`, [{ path: 'pattern', message }]);
      throw err;
    }
    res.status(201).header('Location', `/v1/schedules/${row.id}`);
    return reply(row);
  });

  route(app, apiRoutes.schedules.list, async (request) => {
    const q = request.query;
    try {
      const page = await listSchedules(app.deps.db, { ...q, project: projectOf(request) });
      return { items: await Promise.all(page.items.map(reply)), nextCursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new RequestError(400, err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  });

  route(app, apiRoutes.schedules.get, async (request) => reply(await scheduleOr404(request.params.id, projectOf(request))));

  route(app, apiRoutes.schedules.pause, async (request) => {
    const row = await liveScheduleOr409(request.params.id, projectOf(request), 'paused');
    const paused = await pausedOr404(row, true);
    await removeScheduleFiring(queue, row.id);
    return reply(paused);
  });

  route(app, apiRoutes.schedules.resume, async (request) => {
    const row = await liveScheduleOr409(request.params.id, projectOf(request), 'resumed');
    await upsertScheduleFiring(queue, row);
    return reply(await pausedOr404(row, false));
  });

  route(app, apiRoutes.schedules.delete, async (request, res) => {
    const row = await liveScheduleOr409(request.params.id, projectOf(request), 'deleted again');
    await deleteSchedule(app.deps.db, row.id, row.project);
    await removeScheduleFiring(queue, row.id);
    res.status(204);
    return null;
  });
}
