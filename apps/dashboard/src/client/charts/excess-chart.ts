// The sweep page's second scaling chart: the excess m_n - L_ref over the reference run against n
// (log-log), each width with its standard error (the reference's included), and the fitted line.
import type { ChartConfiguration } from 'chart.js';
import { drawChart, logAxis, PALETTE, withAlpha } from './chart.ts';
import { fmt } from '../dom.ts';

export interface ExcessView {
  time: number;
  referenceWidth: number | null;
  alpha: number | null;
  logIntercept: number | null;
  points: { width: number; meanLoss: number; standardError: number }[];
}

export function drawExcessChart(box: HTMLElement, s: ExcessView) {
  const points = s.points.filter((p) => p.width > 0 && p.meanLoss > 0);
  if (points.length === 0) {
    box.replaceChildren(Object.assign(document.createElement('p'), { className: 'note', textContent: `No width's loss is above L_ref at t = ${fmt(s.time)}: no excess to draw.` }));
    return null;
  }
  const widths = points.map((p) => p.width);
  const lo = Math.min(...widths) / 1.5;
  const hi = Math.max(...widths) * 1.5;
  const fit = s.alpha !== null && s.logIntercept !== null ? [lo, hi].map((n) => ({ x: n, y: Math.exp(s.logIntercept! - s.alpha! * Math.log(n)) })) : [];
  // On a log axis a bar's lower end must stay positive.
  const lower = (p: ExcessView['points'][number]) => Math.max(p.meanLoss - p.standardError, p.meanLoss / 20);
  const ys = points.flatMap((p) => [lower(p), p.meanLoss + p.standardError]);
  const bar = (p: ExcessView['points'][number]) => ({
    type: 'line' as const, label: '_err', data: [{ x: p.width, y: lower(p) }, { x: p.width, y: p.meanLoss + p.standardError }],
    borderColor: '#7c2d12', borderWidth: 2, pointRadius: 0, order: 0,
  });
  return drawChart(box, {
    type: 'scatter',
    data: {
      datasets: [
        { type: 'line', label: s.alpha === null ? 'no fit' : `fit: m_n − L_ref ∝ n^−${fmt(s.alpha)}`, data: fit, borderColor: PALETTE[1], borderDash: [6, 4], borderWidth: 2, pointRadius: 0, order: 2 },
        { label: 'm_n − L_ref ± s.e. (bars)', data: points.map((p) => ({ x: p.width, y: p.meanLoss })), pointRadius: 4, pointBackgroundColor: withAlpha(PALETTE[4], 0.75), pointBorderColor: '#7c2d12', order: 1 },
        ...points.map(bar),
      ],
    },
    options: {
      parsing: false,
      scales: {
        x: {
          ...logAxis('width n'), min: lo, max: hi,
          afterBuildTicks: (axis: { ticks: { value: number }[] }) => { axis.ticks = widths.map((value) => ({ value })); },
          ticks: { autoSkip: false, maxRotation: 0, callback: (v: string | number) => String(Number(v)) },
        },
        y: { ...logAxis('m_n − L_ref'), min: Math.min(...ys) / 1.35, max: Math.max(...ys) * 1.35 },
      },
      plugins: {
        title: { display: true, text: `Excess over the reference run${s.referenceWidth ? ` (n = ${s.referenceWidth})` : ''} at t = ${fmt(s.time)}`, font: { size: 14, weight: 'bold' } },
        legend: { labels: { filter: (item) => item.text !== '_err' } },
        tooltip: {
          filter: (item) => item.dataset.label !== '_err',
          callbacks: {
            label: (item) => {
              const p = points[item.dataIndex];
              return item.datasetIndex === 1 && p ? `n = ${p.width}: ${fmt(p.meanLoss)} ± ${fmt(p.standardError)}` : `${item.dataset.label}`;
            },
          },
        },
      },
    },
  } as ChartConfiguration);
}
