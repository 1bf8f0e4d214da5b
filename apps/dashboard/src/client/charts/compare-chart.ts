// Several runs on one log-log chart: per run its replica mean (a line in the run's colour) and the
// mean +- one standard error (a band in the same colour).
import type { ChartDataset } from 'chart.js';
import { logPoints, type LossSeries } from '../series.ts';
import { bandDatasets, drawChart, logAxis, PALETTE, standardErrorEdges, withAlpha } from './chart.ts';

export const runColor = (i: number) => PALETTE[i % PALETTE.length];

export function drawCompareChart(box: HTMLElement, runs: { label: string; series: LossSeries }[], title: string) {
  const datasets: ChartDataset<'line', { x: number; y: number }[]>[] = [];
  runs.forEach(({ label, series }, i) => {
    const color = runColor(i);
    const { times, mean, standardError: se } = series;
    const { lower, upper } = standardErrorEdges(mean, se);
    datasets.push(
      ...bandDatasets(times, lower, upper, withAlpha(color, 0.18), [`_lower ${i}`, `_band ${i}`]),
      { label, data: logPoints(times, mean), borderColor: color, backgroundColor: color, borderWidth: 2.2, pointRadius: 0, fill: false, order: 1 },
    );
  });
  return drawChart(box, {
    type: 'line',
    data: { datasets },
    options: {
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      scales: { x: logAxis('time t'), y: logAxis(title) },
      plugins: {
        title: { display: true, text: `${title}: replica mean ± one standard error`, font: { size: 14, weight: 'bold' } },
        legend: { labels: { filter: (item) => !item.text.startsWith('_'), boxWidth: 14 } },
        tooltip: { filter: (item) => !String(item.dataset.label).startsWith('_') },
      },
    },
  });
}
