// Births and deaths of a birth-death run over time: per recorded time, summed over the replicas,
// the events since the previous recorded time (GET /v1/simulations/{id}/birth-death).
import type { BirthDeathReply } from '@mfsim/contracts';
import { drawChart, PALETTE } from './chart.ts';

const sum = (v: number[]) => v.reduce((a, b) => a + b, 0);

export function drawBirthDeathChart(box: HTMLElement, reply: BirthDeathReply): void {
  const series = (key: 'births' | 'deaths') => reply.steps.map((s) => ({ x: s.time, y: sum(s[key]) }));
  drawChart(box, {
    type: 'line',
    data: {
      datasets: [
        { label: 'births', data: series('births'), borderColor: PALETTE[2], backgroundColor: PALETTE[2], pointRadius: 2 },
        { label: 'deaths', data: series('deaths'), borderColor: PALETTE[1], backgroundColor: PALETTE[1], pointRadius: 2 },
      ],
    },
    options: {
      plugins: { title: { display: true, text: `births and deaths since the previous recorded time, all ${reply.replicas} replicas` } },
      scales: { x: { type: 'linear', title: { display: true, text: 'time t' } }, y: { type: 'linear', beginAtZero: true, title: { display: true, text: 'events' } } },
    },
  });
}
