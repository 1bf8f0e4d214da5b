// /v1/schedules: sweeps fired on a cron pattern by BullMQ job schedulers (one per schedule, with
// the schedule's id). Postgres holds what a schedule is; Redis holds when it fires next. At start
// the API upserts the scheduler of every active schedule, so a lost Redis loses no schedule, and
// an upsert under the same id never makes a second one.
import type { FastifyInstance } from 'fastify';
import { idSchema, scheduleListQuerySchema, scheduleRequestSchema } from '@mfsim/contracts';
import {
  activeSchedules, countSweepsOfSchedule, createSchedule, deleteSchedule, findSchedule, InvalidCursorError, listSchedules,
  setSchedulePaused, type ScheduleRow,
} from '@mfsim/db';
import { nextScheduleFiring, openScheduleQueue, removeScheduleFiring, upsertScheduleFiring } from '@mfsim/queue';
import { NotFoundError, parseOr400, RequestError } from '../errors.ts';
import { checkSweepRequest } from '../sweep-submission.ts';
import { scheduleReply } from '../sweep-replies.ts';

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

  async function scheduleOr404(id: string) {
    const row = idSchema.safeParse(id).success ? await findSchedule(app.deps.db, id) : null;
    if (!row) throw new NotFoundError(`schedule ${id}`);
    return row;
  }

  app.post('/v1/schedules', async (request, res) => {
    const body = parseOr400(scheduleRequestSchema, request.body, 'schedule');
    // The template is checked as a sweep now, so a firing never meets a bad spec.
    await checkSweepRequest(app.deps, body.sweep, 'sweep.');
    const row = await createSchedule(app.deps.db, { name: body.name, pattern: body.pattern, timeZone: body.timeZone, template: body.sweep });
    try {
      await upsertScheduleFiring(queue, row);
    } catch (err) {
      await deleteSchedule(app.deps.db, row.id);
      const message = (err as Error).message;
      // BullMQ refuses a pattern its cron parser cannot read.
      if (/cron|pattern|invalid|Unknown/i.test(message)) throw new RequestError(400, `invalid pattern: ${message}`, [{ path: 'pattern', message }]);
      throw err;
    }
    res.status(201).header('Location', `/v1/schedules/${row.id}`);
    return reply(row);
  });

  app.get('/v1/schedules', async (request) => {
    const q = parseOr400(scheduleListQuerySchema, request.query, 'query');
    try {
      const page = await listSchedules(app.deps.db, q);
      return { items: await Promise.all(page.items.map(reply)), nextCursor: page.nextCursor };
    } catch (err) {
      if (err instanceof InvalidCursorError) throw new RequestError(400, err.message, [{ path: 'cursor', message: err.message }]);
      throw err;
    }
  });

  app.get<{ Params: { id: string } }>('/v1/schedules/:id', async (request) => reply(await scheduleOr404(request.params.id)));

  app.post<{ Params: { id: string } }>('/v1/schedules/:id/pause', async (request) => {
    const row = await scheduleOr404(request.params.id);
    const paused = await setSchedulePaused(app.deps.db, row.id, true);
    await removeScheduleFiring(queue, row.id);
    return reply(paused);
  });

  app.post<{ Params: { id: string } }>('/v1/schedules/:id/resume', async (request) => {
    const row = await scheduleOr404(request.params.id);
    await upsertScheduleFiring(queue, row);
    return reply(await setSchedulePaused(app.deps.db, row.id, false));
  });

  app.delete<{ Params: { id: string } }>('/v1/schedules/:id', async (request, res) => {
    const row = await scheduleOr404(request.params.id);
    await removeScheduleFiring(queue, row.id);
    await deleteSchedule(app.deps.db, row.id);
    res.status(204);
    return null;
  });
}
