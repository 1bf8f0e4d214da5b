// `mfsim sweep`: submit a sweep file, or list, show, watch, cancel sweeps and read their statistics.
import type { ScalingReply, SweepRequest, SweepReply } from '@mfsim/client';
import { readSpecFile } from '../spec-file.ts';
import { float, int, positional, type Command, type Context } from '../command.ts';
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
    'sweep list [--limit N]            the newest sweeps (default 20)',
    'sweep show <id>                   status, progress, every child simulation',
    'sweep watch <id>                  a progress bar over all children until it ends',
    'sweep cancel <id>                 cancel every child not finished',
    'sweep stats <id>                  per series and width: final mean loss, SE, n * var f; the fitted alpha over time',
    'sweep scaling <id> [--time T] [--series JSON]',
  ],
  optionHelp: [
    'A sweep file is {name?, base: <spec>, grid: {"student.width": [16, 32, 64]}, replicas?}.',
    '--wait                 after submitting, follow it with a progress bar until it ends (as sweep watch)',
    '--idempotency-key K    a retried submit with the same key returns the first sweep',
    '--limit N              sweep list: how many',
    '--time T               sweep scaling: the time of the fit (the nearest recorded one; default the last)',
    '--series JSON          sweep scaling: which series, e.g. \'{"training.batchSize":64}\' (when the grid has more than widths)',
    'Submitting with --wait, and sweep watch, exit 0 when the sweep completes, 1 otherwise.',
  ],
  json: 'the API\'s reply as JSON (with --wait or watch, the final sweep)',
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
        print(s, () => describeSweep(s));
        if (s.status === 'completed' && !ctx.values.json) await sweepStats(ctx, s.id);
        return s.status === 'completed' ? 0 : 1;
      }
      case 'cancel': {
        const s = await client.sweeps.cancel(id());
        return print(s, () => `${s.id}: ${s.status}`);
      }
      case 'stats':
        return sweepStats(ctx, id());
      case 'scaling': {
        const time = float(ctx.values.time, '--time'); // default: the last recorded time
        const s = await client.sweeps.scaling(id(), { ...(time !== undefined && { time }), series: ctx.values.series as string | undefined });
        return print(s, () => [
          fields([
            ['time', s.time], ['alpha', s.alpha],
            ['95% interval', s.interval ? `${s.interval.lower.toPrecision(4)} .. ${s.interval.upper.toPrecision(4)}${s.joint ? ' (replicas resampled jointly)' : ''}` : s.intervalReason],
            ['fit', s.goodness ? `reduced chi-square ${fmt(s.goodness.reducedChiSquare)}, p = ${fmt(s.goodness.pValue)} (${s.powerLaw})${covarianceNote(s)}` : s.reason],
            ['verdict', s.verdict ?? null],
            ['L_inf + a/n', finiteWidthLine(s.finiteWidth)],
            ['partial', String(s.partial)],
          ]),
          table(['width', 'mean test loss', 'std error', 'replicas'], s.points.map((p) => [p.width, p.meanLoss, p.standardError ?? null, p.count])),
          s.localSlopes?.length
            ? '\nlocal slopes -d log m / d log n:\n' + table(['from', 'to', 'alpha', 'std error'], s.localSlopes.map((l) => [l.fromWidth, l.toWidth, l.alpha, l.standardError]))
            : '',
          s.excess ? excessLines(s.excess) : '',
        ].join('\n'));
      }
    }
    const request = await readSpecFile<SweepRequest>(positional(ctx, 0, 'sweep file or one of ' + SUB.join(', ')));
    const s = await client.sweeps.submit(request, { idempotencyKey: ctx.values['idempotency-key'] as string | undefined });
    if (!ctx.values.wait) return print(s, () => `submitted sweep ${s.id} (${s.children.length} simulations)`);
    if (!ctx.values.json) ctx.out(`submitted sweep ${s.id} (${s.children.length} simulations)`);
    const final = await followSweep(client, s.id);
    print(final, () => describeSweep(final));
    // The end of a sweep: its scaling per recorded time with the fits' quality.
    if (final.status === 'completed' && !ctx.values.json) await sweepStats(ctx, final.id);
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
      ctx.out('\nloss ~ n^-alpha (weighted log-space fit; a power law only where p >= 0.05), and L_inf + a/n:');
      ctx.out(table(
        ['step', 'time', 'alpha', 'lower', 'upper', 'chi2/dof', 'p', 'local slopes', 'L_inf', 'p (L_inf + a/n)'],
        sampleIndices(fits.length, 8).map((i) => fits[i]).map((f) => [
          f.step, f.time, f.alpha, f.interval?.lower, f.interval?.upper, f.goodness?.reducedChiSquare ?? null, f.goodness?.pValue ?? null,
          (f.localSlopes ?? []).map((l) => l.alpha.toFixed(2)).join(' '), f.finiteWidth?.lInf?.value ?? null, f.finiteWidth?.goodness?.pValue ?? null,
        ]),
      ));
    }
    const excess = series.scaling.filter((f) => f.excess);
    if (excess.length) {
      ctx.out(`\nexcess over the reference run (n = ${series.reference?.width ?? '?'}): m_n - L_ref ~ n^-alpha, same fit, the reference's standard error propagated:`);
      ctx.out(table(
        ['step', 'time', 'L_ref', 'std error', 'alpha', 'lower', 'upper', 'chi2/dof', 'p', 'local slopes'],
        sampleIndices(excess.length, 8).map((i) => excess[i]).map((f) => {
          const e = f.excess!;
          return [
            f.step, f.time, e.reference?.meanLoss ?? null, e.reference?.standardError ?? null, e.alpha, e.interval?.lower, e.interval?.upper,
            e.goodness?.reducedChiSquare ?? null, e.goodness?.pValue ?? null, e.alpha === null ? e.reason : e.localSlopes.map((l) => l.alpha.toFixed(2)).join(' '),
          ];
        }),
      ));
    }
    const unstable = series.byWidth.filter((w) => (w.rows[0]?.unstable ?? 0) > 0);
    if (unstable.length) ctx.out(`unstable replicas left out: ${unstable.map((w) => `${w.rows[0].unstable} at n = ${w.width}`).join(', ')}`);
    ctx.out('');
  }
}

const fmt = (v: number | null | undefined) => (v === null || v === undefined ? '-' : v.toPrecision(3));

/** The excess m_n - L_ref over the sweep's reference run at one time: the fit, its quality and the points. */
function excessLines(e: NonNullable<ScalingReply['excess']>): string {
  return [
    `\nexcess over the reference run: m_n - L_ref ~ n^-alpha${e.reference ? ` (L_ref = ${fmt(e.reference.meanLoss)} ± ${fmt(e.reference.standardError)} at n = ${e.reference.width}, ${e.reference.count} replicas)` : ''}`,
    fields([
      ['alpha', e.alpha],
      ['95% interval', e.interval ? `${e.interval.lower.toPrecision(4)} .. ${e.interval.upper.toPrecision(4)}${e.joint ? ' (replicas resampled jointly, reference included)' : ''}` : e.intervalReason],
      ['fit', e.goodness ? `reduced chi-square ${fmt(e.goodness.reducedChiSquare)}, p = ${fmt(e.goodness.pValue)} (${e.powerLaw})${covarianceNote(e)}` : e.reason],
      ['verdict', e.verdict],
    ]),
    table(['width', 'm_n - L_ref', 'std error', 'replicas'], e.points.map((p) => [p.width, p.meanLoss, p.standardError, p.count])),
    e.nonPositiveWidths.length ? `left out (loss not above L_ref): n = ${e.nonPositiveWidths.join(', ')}` : '',
    e.localSlopes.length ? 'local slopes:\n' + table(['from', 'to', 'alpha', 'std error'], e.localSlopes.map((l) => [l.fromWidth, l.toWidth, l.alpha, l.standardError])) : '',
  ].filter(Boolean).join('\n');
}

/** "L_inf = 0.0123 (0.0118 .. 0.0128), p = 0.41" from the L_inf + a/n fit. */
function finiteWidthLine(f: ScalingReply['finiteWidth']): string | null {
  if (!f) return null;
  if (!f.lInf) return f.reason;
  return `L_inf = ${fmt(f.lInf.value)} (${fmt(f.lInf.lower)} .. ${fmt(f.lInf.upper)}), a = ${fmt(f.a?.value)}${f.b ? `, b = ${fmt(f.b.value)}` : ''}, p = ${fmt(f.goodness?.pValue)}${covarianceNote(f)}`;
}

/** "; widths correlated through paired replicas (GLS)" or "; widths fitted as independent (<reason>)"; empty for a reply without the field. */
function covarianceNote(f: { covariance?: 'paired' | 'independent'; covarianceReason?: string | null }): string {
  if (f.covariance === 'paired') return '; widths correlated through paired replicas (GLS)';
  if (f.covariance === 'independent') return `; widths fitted as independent${f.covarianceReason ? ` (${f.covarianceReason})` : ''}`;
  return '';
}
