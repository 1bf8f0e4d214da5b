// The particles of one snapshot: output weight c against |w| or against w . u.
import { drawChart, linearAxis, PALETTE, withAlpha } from './chart.ts';

export function drawParticleChart(box: HTMLElement, points: { x: number; y: number }[][], xTitle: string, title: string) {
  const small = points.reduce((s, p) => s + p.length, 0) > 4000;
  return drawChart(box, {
    type: 'scatter',
    data: {
      datasets: points.map((data, r) => ({
        label: `replica ${r}`,
        data,
        pointRadius: small ? 1.2 : 2.2,
        pointBackgroundColor: withAlpha(PALETTE[r % PALETTE.length], 0.55),
        pointBorderWidth: 0,
      })),
    },
    options: {
      parsing: false,
      scales: { x: linearAxis(xTitle), y: linearAxis('c (output weight)') },
      plugins: {
        title: { display: true, text: title, font: { size: 14, weight: 'bold' } },
        legend: { display: points.length > 1 && points.length <= 8 },
      },
    },
  });
}
