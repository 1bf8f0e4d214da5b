// Train or test loss against time on log-log axes: each replica a thin line, the replica mean
// bold, and the mean +- one standard error as a band.
import type { ChartDataset } from 'chart.js';
import { type LossSeries, logPoints } from '../series.ts';
import { bandDatasets, drawChart, logAxis, standardErrorEdges, withAlpha } from './chart.ts';

/** An infinite-width curve (dashed) with its band: the NTK prediction, or the sweep's mean-field reference. */
export interface LimitCurve {
  label: string;
  times: number[];
  values: (number | null)[];
  lower: (number | null)[];
  upper: (number | null)[];
  /** Line colour and dash pattern (default: near-black, long dashes). */
  color?: string;
  dash?: number[];
}

export function drawLossChart(box: HTMLElement, series: LossSeries, options: { title: string; color: string; limits?: LimitCurve[] }) {
  const { times, replicas, mean, standardError } = series;
  const { lower, upper } = standardErrorEdges(mean, standardError);
  const thin = replicas.length > 16 ? 0.6 : 1;
  const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = [
    ...replicas.map((r, i) => ({
      label: i === 0 ? 'replicas' : `replica ${series.replicaIds[i]}`,
      data: logPoints(times, r),
      borderColor: withAlpha(options.color, 0.28),
      borderWidth: thin,
      pointRadius: 0,
      fill: false,
      order: 3,
    })),
    ...bandDatasets(times, lower, upper, withAlpha(options.color, 0.22), ['mean − s.e.', 'mean ± s.e.']),
    { label: 'replica mean', data: logPoints(times, mean), borderColor: options.color, borderWidth: 2.5, pointRadius: 0, fill: false, order: 1 },
  ];
  const limits = options.limits ?? [];
  for (const limit of limits) {
    const color = limit.color ?? '#222222';
    datasets.push(
      ...bandDatasets(limit.times, limit.lower, limit.upper, withAlpha(color, 0.1), [`${limit.label} lower`, `${limit.label} band`]),
      { label: limit.label, data: logPoints(limit.times, limit.values), borderColor: color, borderDash: limit.dash ?? [6, 4], borderWidth: 2, pointRadius: 0, fill: false, order: 0 },
    );
  }
  const legendLabels = new Set(['replica mean', 'mean ± s.e.', 'replicas', ...limits.map((l) => l.label)]);
  return drawChart(box, {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      scales: { x: logAxis('time t'), y: logAxis(options.title) },
      plugins: {
        title: { display: true, text: options.title, font: { size: 14, weight: 'bold' } },
        legend: {
          labels: { filter: (item) => legendLabels.has(item.text), boxWidth: 14 },
        },
        tooltip: { enabled: replicas.length <= 64 },
      },
    },
  });
}
