// `mfsim sweep`: submit a sweep file, or list, show, watch, cancel sweeps and read their statistics.
import type { SweepRequest, SweepReply } from '../../types.ts';
import { readSpecFile } from '../../spec-file.ts';
import { float, int, positional, UsageError, type Command, type Context } from '../command.ts';
import { fields, sampleIndices, table } from '../table.ts';
import { followSweep } from './follow.ts';

const SUB = ['list', 'show', 'watch', 'cancel', 'stats', 'scaling'] as const;

function describeSweep(s: SweepReply): string {
  return [
    fields([
      ['id', s.id], ['name', s.name], ['status', s.status + (s.partial ? ' (partial)' : '')],
      ['progress', `${(100 * s.progress).toFixed(1)}%`], ['grid', JSON.stringify(s.grid)], ['replicas', s.replicas],
      ['seed', s.seed], ['created', s.createdAt], ['finished', s.finishedAt],
    ]),
    '',
    table(['simulation', 'point', 'status', 'progress'], s.children.map((c) => [c.simulationId, JSON.stringify(c.point), c.status, `${(100 * c.progress).toFixed(0)}%`])),
  ].join('\n');
}

export const sweep: Command = {
  name: 'sweep',
  summary: 'submit a sweep over spec fields, or list/show/watch/cancel sweeps, their statistics and scaling',
  usage: [
    'sweep <sweep.json|sweep.yaml> [--wait] [--idempotency-key K]',
    'sweep list [--limit N]',
    'sweep show <id>',
    'sweep watch <id>',
    'sweep cancel <id>',
    'sweep stats <id>',
    'sweep scaling <id> --time T [--series JSON]',
  ],
  optionHelp: [
    'A sweep file is {name?, base: <spec>, grid: {"student.width": [16, 32, 64]}, replicas?}.',
    '--wait   follow it with a progress bar until it ends',
    '--time   the time of the scaling fit (the nearest recorded one is used)',
  ],
  options: { wait: { type: 'boolean' }, limit: { type: 'string' }, time: { type: 'string' }, series: { type: 'string' }, 'idempotency-key': { type: 'string' } },
  remote: true,
  async run(ctx) {
    const client = ctx.client();
    const sub = ctx.positionals[0] as (typeof SUB)[number];
    const id = () => positional(ctx, 1, 'sweep id');
    const print = (v: unknown, text: () => string) => ctx.out(ctx.values.json ? JSON.stringify(v, null, 2) : text());
    switch (sub) {
      case 'list': {
        const page = await client.sweeps.listPage({ limit: int(ctx.values.limit, '--limit') ?? 20 });
        return print(page, () => table(['id', 'name', 'status', 'progress', 'grid', 'created'], page.items.map((s) => [s.id, s.name ?? '', s.status, `${(100 * s.progress).toFixed(0)}%`, Object.keys(s.grid).join(','), s.createdAt.slice(0, 19)])));
      }
      case 'show': {
        const s = await client.sweeps.get(id());
        return print(s, () => describeSweep(s));
      }
      case 'watch': {
        const s = await followSweep(client, id());
        ctx.out(describeSweep(s));
        return s.status === 'completed' ? 0 : 1;
      }
      case 'cancel': {
        const s = await client.sweeps.cancel(id());
        return print(s, () => `${s.id}: ${s.status}`);
      }
      case 'stats':
        return sweepStats(ctx, id());
      case 'scaling': {
        const time = float(ctx.values.time, '--time');
        if (time === undefined) throw new UsageError('--time is required');
        const s = await client.sweeps.scaling(id(), { time, series: ctx.values.series as string | undefined });
        return print(s, () => [
          fields([['time', s.time], ['alpha', s.alpha], ['95% interval', s.interval ? `${s.interval.lower.toPrecision(4)} .. ${s.interval.upper.toPrecision(4)}` : s.intervalReason], ['partial', String(s.partial)]]),
          table(['width', 'mean test loss', 'replicas'], s.points.map((p) => [p.width, p.meanLoss, p.count])),
        ].join('\n'));
      }
    }
    const request = await readSpecFile<SweepRequest>(positional(ctx, 0, 'sweep file or one of ' + SUB.join(', ')));
    const s = await client.sweeps.submit(request, { idempotencyKey: ctx.values['idempotency-key'] as string | undefined });
    ctx.out(`submitted sweep ${s.id} (${s.children.length} simulations)`);
    if (!ctx.values.wait) return;
    const final = await followSweep(client, s.id);
    ctx.out(describeSweep(final));
    return final.status === 'completed' ? 0 : 1;
  },
};

async function sweepStats(ctx: Context, id: string) {
  const s = await ctx.client().sweeps.statistics(id);
  if (ctx.values.json) return ctx.out(JSON.stringify(s, null, 2));
  for (const series of s.series) {
    const name = Object.keys(series.series).length ? JSON.stringify(series.series) : 'all widths';
    ctx.out(`${name}${series.partial ? ` (partial: missing widths ${series.missingWidths.join(', ')})` : ''}`);
    ctx.out(table(
      ['width', 'final time', 'mean test loss', 'std error', 'n * var f'],
      series.byWidth.map((w) => {
        const last = w.rows.at(-1);
        return [w.width, last?.time, last?.meanLoss, last?.standardError, last?.fluctuation];
      }),
    ));
    const fits = series.scaling.filter((f) => f.alpha !== null);
    if (fits.length) {
      ctx.out('\nloss ~ n^-alpha:');
      ctx.out(table(['step', 'time', 'alpha', 'lower', 'upper'], sampleIndices(fits.length, 8).map((i) => fits[i]).map((f) => [f.step, f.time, f.alpha, f.interval?.lower, f.interval?.upper])));
    }
    ctx.out('');
  }
}
