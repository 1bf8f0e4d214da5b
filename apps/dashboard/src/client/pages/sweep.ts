// One sweep: live progress of every child; the mean loss at a chosen time against n (log-log) with
// the fitted line, exponent and interval; with a reference run, the excess m_n - L_ref against n
// beside it with its own fit; n times the fluctuation variance against n; the loss curves of every
// width together (and the reference's).
import { api, ApiError } from '../api.ts';
import { drawExtrapolationChart, drawFluctuationChart, drawScalingChart, drawWidthCurves } from '../charts/sweep-charts.ts';
import { drawExcessChart } from '../charts/excess-chart.ts';
import { clear, fmt, fmtDate, h } from '../dom.ts';
import { live } from '../live.ts';
import { extrapolationAt, extrapolationLine, logPoints, readExtrapolation } from '../series.ts';
import { SWEEP_FINAL, type ScalingFit, type SweepReply, type SweepSeriesStatistics, type SweepStatisticsReply } from '../types.ts';
import { errorText, note, pageHeader, progressBar, shortId, statusBadge } from '../ui.ts';
import { apiRoutes } from '@mfsim/contracts';
import { scheduleLine, sweepChildren } from '../sweep-children.ts';

/** The exponent as the lab reads it: alpha with its interval. */
/** Probes drawn in the extrapolation chart (a sweep records up to hundreds). */
const EXTRAPOLATED_PROBES = 6;

export function exponentText(s: Pick<ScalingFit, 'alpha' | 'interval' | 'reason'>): string {
  if (s.alpha === null) return `no exponent${s.reason ? `: ${s.reason}` : ''}`;
  const ci = s.interval ? `, ${Math.round(s.interval.level * 100)}% interval [${fmt(s.interval.lower)}, ${fmt(s.interval.upper)}]` : '';
  return `α = ${fmt(s.alpha)}${ci}`;
}

/**
 * What the fit supports, next to alpha: the power law's reduced chi-square and p-value (a power law
 * only where p >= 0.05), the local slopes between neighbouring widths, and L_inf + a/n with its fit.
 */
export function fitQualityText(
  s: Pick<ScalingFit, 'goodness' | 'powerLaw' | 'localSlopes' | 'finiteWidth'> & Partial<Pick<ScalingFit, 'covariance' | 'covarianceReason'>>,
): string {
  const parts: string[] = [];
  if (s.goodness?.pValue != null) {
    const verdict = s.powerLaw === 'consistent' ? 'consistent with a power law' : 'not a power law over these widths';
    parts.push(`${verdict}: χ²/dof = ${fmt(s.goodness.reducedChiSquare ?? NaN)}, p = ${fmt(s.goodness.pValue)}`);
  } else if (s.powerLaw === 'untested') {
    parts.push('two widths cannot test a power law');
  }
  // Replicas paired across widths (shared seeds): the fits are GLS with the widths' covariance.
  if (s.covariance === 'paired') parts.push('widths correlated through paired replicas (GLS)');
  else if (s.covariance === 'independent' && s.goodness?.pValue != null) {
    parts.push(`widths fitted as independent${s.covarianceReason ? ` (${s.covarianceReason})` : ''}`);
  }
  if (s.localSlopes?.length) parts.push(`local slopes ${s.localSlopes.map((l) => `${l.fromWidth}→${l.toWidth}: ${fmt(l.alpha)}`).join(', ')}`);
  const f = s.finiteWidth;
  if (f?.lInf) {
    parts.push(`L∞ + a/n${f.b ? ' + b/n²' : ''}: L∞ = ${fmt(f.lInf.value)} [${fmt(f.lInf.lower)}, ${fmt(f.lInf.upper)}], a = ${fmt(f.a!.value)}` +
      (f.goodness?.pValue != null ? `, p = ${fmt(f.goodness.pValue)}` : ''));
  }
  return parts.join(' · ');
}

/** The excess over the reference run at one time: its exponent, fit quality and L_ref. */
export function excessText(e: NonNullable<ScalingFit['excess']>): { exponent: string; quality: string } {
  const ref = e.reference ? `L_ref = ${fmt(e.reference.meanLoss)} ± ${fmt(e.reference.standardError)} (n = ${e.reference.width}, ${e.reference.count} replicas)` : null;
  const left = e.nonPositiveWidths.length ? `left out (loss not above L_ref): n = ${e.nonPositiveWidths.join(', ')}` : null;
  return {
    exponent: `Excess m_n − L_ref: ${exponentText(e)}`,
    quality: [fitQualityText({ goodness: e.goodness, powerLaw: e.powerLaw, localSlopes: e.localSlopes, covariance: e.covariance, covarianceReason: e.covarianceReason }), ref, left].filter(Boolean).join(' · '),
  };
}

const seriesLabel = (s: Record<string, unknown>) =>
  Object.keys(s).length ? Object.entries(s).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ') : 'all widths';

// 409: the sweep has no statistics yet (still running, or aggregating).
const notYet = (err: unknown) => err instanceof ApiError && (err.status === 409 || err.status === 404);

export function sweepPage(root: HTMLElement, id: string) {
  let stopped = false;
  let statsLoaded = false;
  const head = h('div');
  const childTable = sweepChildren(id);
  const children = h('section.card', {}, childTable.el);
  let scheduleEl: HTMLElement | null = null;
  const statsCard = h('section.card', {}, h('h2', {}, 'Scaling with width'), note('Statistics appear when the sweep has finished.'));

  function renderSweep(s: SweepReply) {
    const gridText = Object.entries(s.grid).map(([k, v]) => `${k} ∈ {${v.join(', ')}}`).join(' × ');
    const counts = Object.entries(s.counts).map(([k, v]) => `${v} ${k}`).join(' · ');
    clear(
      head,
      pageHeader(s.name ?? `Sweep ${shortId(s.id)}`, statusBadge(s.status), s.partial ? statusBadge('partial') : null),
      h('div.progress-row', {}, progressBar(s.progress), h('span.muted', {}, `${gridText} · ${s.replicas} replicas · ${counts} · created ${fmtDate(s.createdAt)}`)),
      s.scheduleId ? (scheduleEl ??= scheduleLine(s.scheduleId)) : null,
    );
    childTable.show(s);
  }

  async function loadStatistics(): Promise<boolean> {
    let stats: SweepStatisticsReply;
    try {
      stats = await api<SweepStatisticsReply>(apiRoutes.sweeps.statistics, { params: { id } });
    } catch (err) {
      if (notYet(err)) return false;
      clear(statsCard, h('h2', {}, 'Scaling with width'), note(`Could not load statistics: ${errorText(err)}`, 'error'));
      return true;
    }
    if (stopped || stats.series.length === 0 || stats.series.every((s) => s.scaling.length === 0)) return false;
    statsLoaded = true;
    const seriesSelect = h('select', { 'aria-label': 'series' }, ...stats.series.map((s, i) => h('option', { value: i }, seriesLabel(s.series))));
    const body = h('div');
    seriesSelect.addEventListener('change', () => renderSeries(body, stats.series[Number(seriesSelect.value)]));
    clear(statsCard, h('h2', {}, 'Scaling with width'), stats.series.length > 1 ? h('div.controls', {}, h('label', {}, 'Series ', seriesSelect)) : null, body);
    renderSeries(body, stats.series[0]);
    return true;
  }

  function renderSeries(body: HTMLElement, series: SweepSeriesStatistics) {
    const times = series.scaling.map((s) => s.time);
    const timeSelect = h('select', { 'aria-label': 'time', 'data-testid': 'scaling-time' }, ...times.map((t) => h('option', { value: t }, `t = ${fmt(t)}`)));
    timeSelect.value = String(times[times.length - 1]);
    const exponent = h('p.exponent', { 'data-testid': 'exponent' });
    const fitQuality = h('p.muted', { 'data-testid': 'fit-quality' });
    const unstable = series.byWidth.filter((w) => (w.rows[0]?.unstable ?? 0) > 0);
    const unstableNote = unstable.length
      ? note(`Unstable replicas left out of the statistics: ${unstable.map((w) => `${w.rows[0].unstable} at n = ${w.width}`).join(', ')} (a loss that jumped more than 10× between recorded steps; dt may be too large for these widths).`, 'error')
      : null;
    const scalingBox = h('div.chart', { 'data-chart': 'scaling' });
    // With a reference run: the excess over it, beside the plain scaling.
    const hasReference = series.reference != null || series.scaling.some((s) => s.excess);
    const excessBox = h('div.chart', { 'data-chart': 'excess-scaling' });
    const excessExponent = h('p.exponent', { 'data-testid': 'excess-exponent' });
    const excessQuality = h('p.muted', { 'data-testid': 'excess-fit-quality' });
    const fluctuationBox = h('div.chart', { 'data-chart': 'fluctuation' });
    const curvesBox = h('div.chart.wide', { 'data-chart': 'width-curves' });
    const extrapolationBox = h('div.chart', { 'data-chart': 'extrapolation' });
    const extrapolationNote = h('p.muted', { 'data-testid': 'extrapolation-note' });
    const extrapolation = readExtrapolation(series.extrapolation);
    const partial = series.partial ? note(`Partial: no statistics for width${series.missingWidths.length === 1 ? '' : 's'} ${series.missingWidths.join(', ')} (failed, diverged or cancelled).`, 'error') : null;

    const showTime = async () => {
      const time = Number(timeSelect.value);
      let scaling: ScalingFit | undefined = series.scaling.find((s) => s.time === time);
      if (!scaling) {
        try {
          scaling = await api<ScalingFit>(apiRoutes.sweeps.scaling, { params: { id }, query: { time, series: JSON.stringify(series.series) } });
        } catch (err) {
          exponent.textContent = `Could not load the scaling: ${errorText(err)}`;
          return;
        }
      }
      const atTime = series.byWidth.map((w) => ({ width: w.width, row: w.rows.find((r) => r.time === time) }));
      const se = new Map(atTime.map((a) => [a.width, a.row?.standardError ?? null]));
      exponent.textContent = exponentText(scaling);
      fitQuality.textContent = fitQualityText(scaling);
      drawScalingChart(scalingBox, { ...scaling, time, points: scaling.points.map((p) => ({ ...p, standardError: se.get(p.width) ?? null })) });
      if (hasReference) {
        const e = scaling.excess;
        if (e) {
          const text = excessText(e);
          excessExponent.textContent = text.exponent;
          excessQuality.textContent = text.quality;
          drawExcessChart(excessBox, { time, referenceWidth: e.reference?.width ?? series.reference?.width ?? null, alpha: e.alpha, logIntercept: e.logIntercept, points: e.points });
        } else {
          excessExponent.textContent = 'Excess m_n − L_ref: none at this time (the reference run has no record here).';
          excessQuality.textContent = '';
          excessBox.replaceChildren();
        }
      }
      drawFluctuationChart(fluctuationBox, time, atTime.filter((a) => a.row?.fluctuation != null).map((a) => ({ width: a.width, fluctuation: a.row!.fluctuation! })));
      // The mean outputs on the first probes against 1/n, and their n -> infinity limit.
      const ex = extrapolationAt(extrapolation, time);
      const lines = ex ? ex.outputs.slice(0, EXTRAPOLATED_PROBES).map((_, probe) => ({ probe, points: extrapolationLine(ex, probe) })).filter((l) => l.points.length) : [];
      extrapolationNote.textContent = lines.length
        ? `Mean output on ${lines.length} probe${lines.length === 1 ? '' : 's'} against 1/n at t = ${fmt(ex!.time)}; the diamond at 0 is the n → ∞ limit.`
        : `No 1/n extrapolation at this time${ex?.reason ? `: ${ex.reason}` : ' (the spec records no probe outputs, or fewer than two widths have them)'}.`;
      if (lines.length) drawExtrapolationChart(extrapolationBox, ex!.time, ex!.widths, lines);
      extrapolationBox.hidden = lines.length === 0;
    };
    timeSelect.addEventListener('change', showTime);

    clear(body,
      h('div.controls', {}, h('label', {}, 'Time ', timeSelect), exponent),
      fitQuality,
      partial,
      unstableNote,
      hasReference ? h('div.excess', {}, excessExponent, excessQuality) : null,
      h('div.chart-grid', {}, scalingBox, hasReference ? excessBox : null, fluctuationBox),
      curvesBox,
      h('div.extrapolation', {}, h('h3', {}, 'Mean-field limit of the outputs'), extrapolationNote, extrapolationBox),
    );
    showTime();
    const curves = series.reference ? [...series.byWidth, series.reference] : series.byWidth;
    drawWidthCurves(curvesBox, curves.map((w) => ({ width: w.width, points: logPoints(w.rows.map((r) => r.time), w.rows.map((r) => r.meanLoss)) })));
  }

  root.replaceChildren(head, statsCard, children);
  // A finished sweep's statistics are asked for at once, beside the sweep itself.
  loadStatistics().catch(() => {});
  const handle = live<SweepReply>({
    eventsPath: `/v1/sweeps/${id}/events`,
    read: () => api<SweepReply>(apiRoutes.sweeps.get, { params: { id } }),
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
      // Only a completed sweep gets its statistics stored as it ends: a cancelled one was asked once, at load.
      if (s.status === 'completed' && !statsLoaded) retryStatistics();
      if (s.status === 'cancelled' && !statsLoaded) {
        clear(statsCard, h('h2', {}, 'Scaling with width'), note('No statistics: the sweep was cancelled, and only a sweep that completes gets them. The losses its runs reached are in the table below; compare them, or submit the sweep again.'));
      }
    },
  });
  // The statistics are stored as the sweep completes: ask again for a while.
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
