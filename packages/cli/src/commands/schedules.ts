// `mfsim schedules`: sweeps that run by themselves on a cron pattern.
import type { ScheduleReply, ScheduleRequest } from '@mfsim/client';
import { readSpecFile } from '../spec-file.ts';
import { positional, UsageError, type Command } from '../command.ts';
import { fields, table } from '../table.ts';

const describe = (s: ScheduleReply) =>
  fields([
    ['id', s.id], ['name', s.name], ['pattern', `${s.pattern} (${s.timeZone})`], ['paused', String(s.paused)],
    ['next fire', s.nextFireAt], ['sweeps created', s.sweeps], ['grid', JSON.stringify(s.sweep.grid)], ['created', s.createdAt],
    // A deleted schedule is kept (its sweeps still name it) and never fires again.
    ...(s.deletedAt ? [['deleted', `${s.deletedAt} (never fires again; its sweeps keep their link)`] as [string, string]] : []),
  ]);

export const schedules: Command = {
  name: 'schedules',
  summary: 'create, list, show, pause, resume and delete scheduled sweeps',
  usage: [
    'schedules list',
    'schedules create <schedule.json|yaml>   ({name?, pattern: "0 3 * * *", timeZone?, sweep: <sweep>})',
    'schedules show <id>',
    'schedules pause <id>',
    'schedules resume <id>',
    'schedules delete <id>',
  ],
  optionHelp: [
    'A schedule fires a sweep on a cron pattern (5 fields, or 6 with seconds first) in a time zone',
    '(default UTC); the sweep is a sweep file\'s content: {name?, base: <spec>, grid, replicas?}.',
  ],
  json: 'the API\'s reply as JSON (list, create, show, pause, resume)',
  remote: true,
  async run(ctx) {
    const client = ctx.client().schedules;
    const sub = ctx.positionals[0];
    const id = () => positional(ctx, 1, 'schedule id');
    const print = (s: ScheduleReply) => ctx.out(ctx.values.json ? JSON.stringify(s, null, 2) : describe(s));
    switch (sub) {
      case 'list': {
        const items: ScheduleReply[] = [];
        for await (const s of client.list()) items.push(s);
        if (ctx.values.json) return ctx.out(JSON.stringify(items, null, 2));
        if (items.length === 0) return ctx.out('no schedules');
        return ctx.out(table(['id', 'name', 'pattern', 'time zone', 'paused', 'next fire', 'sweeps'], items.map((s) => [s.id, s.name ?? '', s.pattern, s.timeZone, String(s.paused), s.nextFireAt ?? '-', s.sweeps])));
      }
      case 'create':
        return print(await client.create(await readSpecFile<ScheduleRequest>(positional(ctx, 1, 'schedule file'))));
      case 'show':
        return print(await client.get(id()));
      case 'pause':
        return print(await client.pause(id()));
      case 'resume':
        return print(await client.resume(id()));
      case 'delete':
        await client.delete(id());
        return ctx.out(`deleted schedule ${id()}`);
      default:
        throw new UsageError(sub ? `unknown subcommand "${sub}"` : 'missing subcommand');
    }
  },
};
