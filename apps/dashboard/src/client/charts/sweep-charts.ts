// Sweep charts: the scaling of the mean loss with n and its fit, n times the fluctuation variance
// against n, and the mean loss curves of all widths together.
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
