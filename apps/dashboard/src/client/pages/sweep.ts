// One sweep: live progress of every child; the mean loss at a chosen time against n (log-log) with
// the fitted line, exponent and interval; n times the fluctuation variance against n; the loss
// curves of every width together.
import { api, ApiError, query } from '../api.ts';
import { drawFluctuationChart, drawScalingChart, drawWidthCurves } from '../charts/sweep-charts.ts';
import { clear, fmt, fmtDate, h } from '../dom.ts';
import { live } from '../live.ts';
import { logPoints } from '../series.ts';
import { childrenOf, childWidth, type ScalingReply, type SweepReply, type SweepStatisticsReply } from '../types.ts';
import { errorText, note, pageHeader, progressBar, shortId, statusBadge } from '../ui.ts';

export const SWEEP_FINAL = ['completed', 'failed', 'cancelled', 'partial', 'diverged'];

/** The exponent as the lab reads it: alpha with its interval. */
export function exponentText(s: Pick<ScalingReply, 'alpha' | 'interval' | 'reason'>): string {
  if (s.alpha === null) return `no exponent${s.reason ? `: ${s.reason}` : ''}`;
  const ci = s.interval ? ` [${fmt(s.interval.lower)}, ${fmt(s.interval.upper)}] (${Math.round(s.interval.level * 100)}% bootstrap)` : '';
  return `α = ${fmt(s.alpha)}${ci}`;
}

export function sweepPage(root: HTMLElement, id: string) {
  let stopped = false;
  let statsLoaded = false;
  const head = h('div');
  const children = h('section.card', {}, h('h2', {}, 'Simulations'));
  const statsCard = h('section.card', {}, h('h2', {}, 'Scaling with width'), note('Statistics appear when the sweep has finished.'));

  function renderSweep(s: SweepReply) {
    const kids = [...childrenOf(s)].sort((a, b) => (childWidth(a) ?? 0) - (childWidth(b) ?? 0));
    const gridText = s.grid ? Object.entries(s.grid).map(([k, v]) => `${k} ∈ {${v.join(', ')}}`).join(' × ') : '';
    clear(
      head,
      pageHeader(s.name ?? `Sweep ${shortId(s.id)}`, statusBadge(s.status)),
      h('div.progress-row', {}, progressBar(s.progress), h('span.muted', {}, `${gridText}${s.replicas ? ` · ${s.replicas} replicas` : ''} · created ${fmtDate(s.createdAt)}`)),
      s.scheduleId ? h('p.muted', {}, 'Created by schedule ', h('a', { href: '#/schedules' }, shortId(s.scheduleId))) : null,
    );
    clear(
      children,
      h('h2', {}, `Simulations (${kids.length})`),
      h('table.data', {},
        h('thead', {}, h('tr', {}, ...['Point', 'Status', 'Progress', ''].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...kids.map((c) =>
          h('tr', { 'data-id': c.id },
            h('td', {}, c.point ? Object.entries(c.point).map(([k, v]) => `${k.split('.').pop()} = ${v}`).join(', ') : `n = ${childWidth(c) ?? '?'}`),
            h('td', {}, statusBadge(c.status)),
            h('td', {}, progressBar(c.progress)),
            h('td', {}, h('a', { href: `#/simulations/${c.id}` }, 'open')),
          ),
        )),
      ),
    );
  }

  async function loadStatistics() {
    let stats: SweepStatisticsReply;
    try {
      stats = await api<SweepStatisticsReply>(`/v1/sweeps/${id}/statistics`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return false;
      clear(statsCard, h('h2', {}, 'Scaling with width'), note(`Could not load statistics: ${errorText(err)}`, 'error'));
      return true;
    }
    if (stopped || !stats.rows?.length) return false;
    statsLoaded = true;
    renderStatistics(stats);
    return true;
  }

  function renderStatistics(stats: SweepStatisticsReply) {
    const times = [...new Set(stats.rows.map((r) => r.time))].sort((a, b) => a - b);
    const timeSelect = h('select', { 'aria-label': 'time', 'data-testid': 'scaling-time' }, ...times.map((t) => h('option', { value: t }, `t = ${fmt(t)}`)));
    timeSelect.value = String(times[times.length - 1]);
    const exponent = h('p.exponent', { 'data-testid': 'exponent' });
    const scalingBox = h('div.chart', { 'data-chart': 'scaling' });
    const fluctuationBox = h('div.chart', { 'data-chart': 'fluctuation' });
    const curvesBox = h('div.chart.wide', { 'data-chart': 'width-curves' });
    const partial = stats.partial ? note(`Partial: widths missing ${stats.missingWidths?.length ? `(${stats.missingWidths.join(', ')})` : 'at some times'}.`, 'error') : null;

    const showTime = async () => {
      const time = Number(timeSelect.value);
      const atTime = stats.rows.filter((r) => r.time === time);
      let scaling = stats.scaling?.find((s) => s.time === time);
      if (!scaling) {
        try {
          scaling = await api<ScalingReply>(`/v1/sweeps/${id}/scaling${query({ time })}`);
        } catch (err) {
          exponent.textContent = `Could not load the scaling: ${errorText(err)}`;
          return;
        }
      }
      const se = new Map(atTime.map((r) => [r.width, r.standardError]));
      exponent.textContent = exponentText(scaling);
      drawScalingChart(scalingBox, { ...scaling, time, points: scaling.points.map((p) => ({ ...p, standardError: se.get(p.width) ?? null })) });
      drawFluctuationChart(fluctuationBox, time, atTime.filter((r) => r.fluctuation !== null).map((r) => ({ width: r.width, fluctuation: r.fluctuation! })));
    };
    timeSelect.addEventListener('change', showTime);

    const curves = stats.widths.map((width) => {
      const rows = stats.rows.filter((r) => r.width === width);
      return { width, points: logPoints(rows.map((r) => r.time), rows.map((r) => r.meanLoss)) };
    });

    clear(
      statsCard,
      h('h2', {}, 'Scaling with width'),
      h('div.controls', {}, h('label', {}, 'Time ', timeSelect), exponent),
      partial,
      h('div.chart-grid', {}, scalingBox, fluctuationBox),
      curvesBox,
    );
    showTime();
    drawWidthCurves(curvesBox, curves);
  }

  root.replaceChildren(head, statsCard, children);
  // Statistics of a finished sweep are asked for at once, beside the sweep itself.
  loadStatistics().catch(() => {});
  const handle = live<SweepReply>({
    eventsPath: `/v1/sweeps/${id}/events`,
    read: () => api<SweepReply>(`/v1/sweeps/${id}`),
    done: (s) => SWEEP_FINAL.includes(s.status),
    onError: (err) => {
      if (err instanceof ApiError && err.status === 404) {
        clear(head, pageHeader('Sweep'), note(`No sweep ${id}.`, 'error'));
        handle.stop();
      }
    },
    onUpdate: (s) => {
      if (stopped) return;
      renderSweep(s);
      if (SWEEP_FINAL.includes(s.status) && !statsLoaded) retryStatistics();
    },
  });
  // The aggregate job may finish a moment after the last child: ask again for a while.
  async function retryStatistics(tries = 40) {
    for (let i = 0; i < tries && !stopped && !statsLoaded; i++) {
      if (await loadStatistics()) return;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  return () => {
    stopped = true;
    handle.stop();
  };
}
