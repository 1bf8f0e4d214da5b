// Sweep charts: the scaling of the mean loss with n and its fit, n times the fluctuation variance
// against n, and the mean loss curves of all widths together.
import type { ChartConfiguration } from 'chart.js';
import { drawChart, linearAxis, logAxis, PALETTE, sequential, withAlpha } from './chart.ts';
import { fmt } from '../dom.ts';

export interface ScalingView {
  time: number;
  alpha: number | null;
  logIntercept: number | null;
  interval: { lower: number; upper: number; level: number } | null;
  points: { width: number; meanLoss: number; standardError?: number | null }[];
}

/** The widths' axis padded on both sides, so no point sits on the frame. */
const widthRange = (widths: readonly number[]) => [Math.min(...widths) / 1.5, Math.max(...widths) * 1.5] as const;

/** A log width axis with a label at every width of the grid, and only there. */
export function widthAxis(widths: readonly number[]) {
  if (widths.length === 0) return logAxis('width n');
  const [min, max] = widthRange(widths);
  return {
    ...logAxis('width n'),
    min,
    max,
    afterBuildTicks: (axis: { ticks: { value: number }[] }) => { axis.ticks = widths.map((value) => ({ value })); },
    ticks: { autoSkip: false, maxRotation: 0, callback: (v: string | number) => String(Number(v)) },
  };
}

export function drawScalingChart(box: HTMLElement, s: ScalingView) {
  const widths = [...new Set(s.points.filter((p) => p.width > 0 && p.meanLoss > 0).map((p) => p.width))].sort((a, b) => a - b);
  if (widths.length === 0) {
    box.replaceChildren(Object.assign(document.createElement('p'), { className: 'note', textContent: `No mean loss to draw at t = ${fmt(s.time)}.` }));
    return null;
  }
  // Padding on both axes: no point or bar sits on the frame.
  const [lo, hi] = widthRange(widths);
  const fit =
    s.alpha !== null && s.logIntercept !== null
      ? [lo, hi].map((n) => ({ x: n, y: Math.exp(s.logIntercept! - s.alpha! * Math.log(n)) }))
      : [];
  const withErr = s.points.filter((p) => p.standardError && p.standardError > 0);
  // On a log axis a bar's lower end must stay positive.
  const lower = (p: ScalingView['points'][number]) => Math.max(p.meanLoss - p.standardError!, p.meanLoss / 20);
  const ys = [...s.points.map((p) => p.meanLoss), ...withErr.flatMap((p) => [lower(p), p.meanLoss + p.standardError!])].filter((y) => y > 0);
  const yMin = ys.length ? Math.min(...ys) / 1.35 : undefined;
  const yMax = ys.length ? Math.max(...ys) * 1.35 : undefined;
  const bar = (data: { x: number; y: number }[]) => ({
    type: 'line' as const, label: '_err', data, borderColor: '#1e3a8a', borderWidth: 2, pointRadius: 0, order: 0,
  });
  return drawChart(box, {
    type: 'scatter',
    data: {
      datasets: [
        {
          type: 'line',
          label: s.alpha === null ? 'no fit' : `fit: loss ∝ n^−${fmt(s.alpha)}`,
          data: fit,
          borderColor: PALETTE[1],
          borderDash: [6, 4],
          borderWidth: 2,
          pointRadius: 0,
          order: 2,
        },
        {
          label: 'mean test loss ± s.e. (bars)',
          data: s.points.map((p) => ({ x: p.width, y: p.meanLoss })),
          pointRadius: 4,
          pointBackgroundColor: withAlpha(PALETTE[0], 0.75),
          pointBorderColor: '#1e3a8a',
          order: 1,
        },
        // Each standard-error bar: a vertical line and a cap at each end, drawn over the marker.
        ...withErr.flatMap((p) => [
          bar([{ x: p.width, y: lower(p) }, { x: p.width, y: p.meanLoss + p.standardError! }]),
          bar([{ x: p.width / 1.07, y: lower(p) }, { x: p.width * 1.07, y: lower(p) }]),
          bar([{ x: p.width / 1.07, y: p.meanLoss + p.standardError! }, { x: p.width * 1.07, y: p.meanLoss + p.standardError! }]),
        ]),
      ],
    },
    options: {
      parsing: false,
      scales: {
        x: widthAxis(widths),
        y: { ...logAxis('mean test loss'), ...(yMin !== undefined && { min: yMin, max: yMax }) },
      },
      plugins: {
        title: { display: true, text: `Mean test loss at t = ${fmt(s.time)} against width`, font: { size: 14, weight: 'bold' } },
        legend: { labels: { filter: (item) => item.text !== '_err' } },
        tooltip: {
          filter: (item) => item.dataset.label !== '_err',
          callbacks: {
            label: (item) => {
              const p = s.points[item.dataIndex];
              return item.datasetIndex === 1 && p ? `n = ${p.width}: ${fmt(p.meanLoss)}${p.standardError ? ` ± ${fmt(p.standardError)}` : ''}` : `${item.dataset.label}`;
            },
          },
        },
      },
    },
  } as ChartConfiguration);
}

export function drawFluctuationChart(box: HTMLElement, time: number, points: { width: number; fluctuation: number }[]) {
  return drawChart(box, {
    type: 'scatter',
    data: {
      datasets: [
        {
          type: 'line',
          label: 'n · Var f_n(x) (mean over probes)',
          data: points.map((p) => ({ x: p.width, y: p.fluctuation })),
          borderColor: PALETTE[2],
          pointBackgroundColor: PALETTE[2],
          pointRadius: 5,
          borderWidth: 1.5,
        },
      ],
    },
    options: {
      parsing: false,
      scales: { x: widthAxis(points.map((p) => p.width)), y: { ...linearAxis('n × fluctuation variance'), beginAtZero: true } },
      plugins: {
        title: { display: true, text: `CLT fluctuation at t = ${fmt(time)} (flat when the CLT holds)`, font: { size: 14, weight: 'bold' } },
      },
    },
  });
}

export function drawWidthCurves(box: HTMLElement, curves: { width: number; points: { x: number; y: number }[] }[]) {
  return drawChart(box, {
    type: 'line',
    data: {
      datasets: curves.map((c, i) => ({
        label: `n = ${c.width}`,
        data: c.points,
        borderColor: sequential(i, curves.length),
        borderWidth: 2,
        pointRadius: 0,
      })),
    },
    options: {
      parsing: false,
      normalized: true,
      scales: { x: logAxis('time t'), y: logAxis('mean test loss') },
      plugins: {
        title: { display: true, text: 'Mean test loss of every width', font: { size: 14, weight: 'bold' } },
        legend: { position: 'right', labels: { boxWidth: 14 } },
      },
    },
  });
}

/**
 * The mean-field extrapolation at one time: for each probe x_j, the replica-mean output fitted
 * against 1/n (a line), and its intercept at 1/n = 0, the n → ∞ output (a diamond).
 */
export function drawExtrapolationChart(box: HTMLElement, time: number, widths: number[], lines: { probe: number; points: { x: number; y: number }[] }[]) {
  const sorted = [...new Set(widths)].sort((a, b) => b - a); // 1/n ascending
  const xMax = sorted.length ? (1 / sorted[sorted.length - 1]) * 1.06 : 1;
  // Label n = ∞ and those widths whose 1/n is not crowded by the one labelled before it.
  const labelled = new Set<number>();
  let last = 0;
  for (const n of sorted) {
    if (1 / n - last >= xMax * 0.07) {
      labelled.add(n);
      last = 1 / n;
    }
  }
  return drawChart(box, {
    type: 'line',
    data: {
      datasets: lines.map((l, i) => {
        const color = PALETTE[i % PALETTE.length];
        return {
          label: `probe ${l.probe + 1}`,
          data: l.points,
          borderColor: color,
          backgroundColor: color,
          borderWidth: 2,
          pointRadius: (ctx: { dataIndex: number }) => (ctx.dataIndex === 0 ? 6 : 0),
          pointHoverRadius: (ctx: { dataIndex: number }) => (ctx.dataIndex === 0 ? 7 : 3),
          pointStyle: 'rectRot' as const,
        };
      }),
    },
    options: {
      parsing: false,
      interaction: { mode: 'nearest', intersect: false },
      scales: {
        x: {
          type: 'linear',
          min: 0,
          max: xMax,
          title: { display: true, text: '1/n  (n = ∞ at 0)' },
          afterBuildTicks: (axis: { ticks: { value: number }[] }) => {
            axis.ticks = [0, ...sorted.map((n) => 1 / n)].map((value) => ({ value }));
          },
          ticks: {
            autoSkip: false,
            maxRotation: 0,
            callback: (v: string | number) => {
              const x = Number(v);
              if (x === 0) return '∞';
              const n = Math.round(1 / x);
              return labelled.has(n) ? `1/${n}` : '';
            },
          },
        },
        y: linearAxis('replica-mean output f(x_j)'),
      },
      plugins: {
        title: { display: true, text: `Mean-field extrapolation at t = ${fmt(time)}`, font: { size: 14, weight: 'bold' } },
        legend: { labels: { boxWidth: 12, usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (item: { dataset: { label?: string }; parsed: { x: number; y: number } }) =>
              `${item.dataset.label}: ${fmt(item.parsed.y)} at ${item.parsed.x === 0 ? 'n = ∞' : `n = ${Math.round(1 / item.parsed.x)}`}`,
          },
        },
      },
    },
  } as ChartConfiguration);
}
