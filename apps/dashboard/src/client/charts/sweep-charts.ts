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

export function drawScalingChart(box: HTMLElement, s: ScalingView) {
  const widths = s.points.map((p) => p.width);
  const lo = Math.min(...widths) / 1.25;
  const hi = Math.max(...widths) * 1.25;
  const fit =
    s.alpha !== null && s.logIntercept !== null
      ? [lo, hi].map((n) => ({ x: n, y: Math.exp(s.logIntercept! - s.alpha! * Math.log(n)) }))
      : [];
  const withErr = s.points.filter((p) => p.standardError && p.meanLoss - p.standardError > 0);
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
        },
        {
          label: 'mean test loss ± s.e.',
          data: s.points.map((p) => ({ x: p.width, y: p.meanLoss })),
          pointRadius: 5,
          pointBackgroundColor: PALETTE[0],
        },
        ...withErr.map((p) => ({
          type: 'line' as const,
          label: '_err',
          data: [
            { x: p.width, y: p.meanLoss - p.standardError! },
            { x: p.width, y: p.meanLoss + p.standardError! },
          ],
          borderColor: withAlpha(PALETTE[0], 0.7),
          borderWidth: 2,
          pointRadius: 0,
        })),
      ],
    },
    options: {
      parsing: false,
      scales: { x: { ...logAxis('width n'), min: lo, max: hi }, y: logAxis('mean test loss') },
      plugins: {
        title: { display: true, text: `Mean test loss at t = ${fmt(s.time)} against width`, font: { size: 14, weight: 'bold' } },
        legend: { labels: { filter: (item) => item.text !== '_err' } },
      },
    },
  });
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
      scales: { x: logAxis('width n'), y: { ...linearAxis('n × fluctuation variance'), beginAtZero: true } },
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
