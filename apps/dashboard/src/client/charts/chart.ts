// Chart.js set up once: only the parts the dashboard draws (keeps the bundle small), no animation
// (charts of many lines draw at once), and a `data-drawn` mark on the container after each draw.
import {
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  LogarithmicScale,
  PointElement,
  ScatterController,
  Title,
  Tooltip,
  type ChartConfiguration,
  type ChartDataset,
  type Plugin,
} from 'chart.js';
import { logPoints } from '../series.ts';

Chart.register(LineController, ScatterController, LineElement, PointElement, LinearScale, LogarithmicScale, Filler, Legend, Tooltip, Title);
Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
Chart.defaults.font.size = 12;
Chart.defaults.color = '#334155';
Chart.defaults.borderColor = '#e2e8f0';

const drawnMark: Plugin = {
  id: 'drawnMark',
  afterRender(chart) {
    const box = chart.canvas.parentElement;
    if (box) {
      box.dataset.drawn = 'true';
      box.dispatchEvent(new CustomEvent('chart:drawn', { bubbles: true }));
    }
  },
};

const charts = new WeakMap<HTMLElement, Chart>();

/** Draws a chart into `box` (replacing what was there). Returns null where canvas is unavailable (tests). */
export function drawChart(box: HTMLElement, config: ChartConfiguration): Chart | null {
  charts.get(box)?.destroy();
  box.dataset.drawn = 'false';
  const canvas = document.createElement('canvas');
  box.replaceChildren(canvas);
  if (!canvas.getContext?.('2d')) return null;
  const chart = new Chart(canvas, {
    ...config,
    // Room on the right for the x axis's last label.
    options: { animation: false, responsive: true, maintainAspectRatio: false, layout: { padding: { right: 16 } }, ...config.options },
    plugins: [...(config.plugins ?? []), drawnMark],
  } as ChartConfiguration);
  charts.set(box, chart);
  return chart;
}

/** A categorical palette for replicas, and a sequential one for widths (small n light, large n dark). */
export const PALETTE = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777'];

export function sequential(i: number, count: number): string {
  // viridis, sampled
  const stops = ['#fde725', '#90d743', '#35b779', '#21918c', '#31688e', '#443983', '#440154'];
  const t = count <= 1 ? 1 : i / (count - 1);
  return stops[Math.round(0.15 * (stops.length - 1) + t * 0.85 * (stops.length - 1))] ?? stops[stops.length - 1];
}

export function withAlpha(hex: string, alpha: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255}, ${alpha})`;
}

export const logAxis = (title: string) => ({
  type: 'logarithmic' as const,
  title: { display: true, text: title },
  // The axis's two ends are ticks of their own, so they can carry a label.
  afterBuildTicks(axis: { min: number; max: number; ticks: { value: number }[] }) {
    const t = axis.ticks;
    if (!(axis.min > 0) || !(axis.max > axis.min)) return;
    if (t.length === 0 || t[0].value > axis.min * 1.0001) t.unshift({ value: axis.min });
    if (t[t.length - 1].value < axis.max / 1.0001) t.push({ value: axis.max });
  },
  ticks: {
    maxTicksLimit: 10,
    // The labels are thinned below; Chart.js's own skipping could drop an end's.
    autoSkip: false,
    // Over a decade or more, label 1, 2 and 5 times powers of ten; over less, every tick.
    callback(this: { min: number; max: number }, v: string | number, index: number, ticks: { value: number }[]) {
      const x = Number(v);
      const last = ticks.length - 1;
      // Both ends carry a label, so the range is always readable; ticks crowding an end label do not.
      if (index === 0 || index === last) return shortNumber(x);
      // Within 8% of the axis's length of an end, a label would overlap the end's.
      const near = (a: number, b: number) => Math.abs(Math.log(a / b)) < 0.08 * Math.log(this.max / this.min);
      if (this.max / this.min >= 10) return near(x, this.min) || near(x, this.max) ? '' : logTick(x);
      // Less than a decade: about five evenly spread labels, not one per minor tick.
      const every = Math.max(1, Math.ceil(ticks.length / 5));
      return index % every === 0 ? shortNumber(x) : '';
    },
  },
});

function shortNumber(v: number): string {
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e5) ? v.toExponential(1) : String(Number(v.toPrecision(2)));
}

type LinePoints = ChartDataset<'line', { x: number; y: number }[]>;

/** mean - se and mean + se; a lower edge at or below 0 (no place on a log axis) is drawn at a tenth of the mean. */
export function standardErrorEdges(mean: readonly (number | null)[], se: readonly (number | null)[]) {
  const lower = mean.map((m, t) => (m === null || se[t] === null ? m : m - se[t]! > 0 ? m - se[t]! : m / 10));
  const upper = mean.map((m, t) => (m === null || se[t] === null ? m : m + se[t]!));
  return { lower, upper };
}

/**
 * A filled band on log axes: an invisible lower edge, then the upper edge filled down to it
 * (Chart.js `fill: '-1'`), behind the lines (order 2). labels: [lower edge, band].
 */
export function bandDatasets(times: readonly number[], lower: readonly (number | null)[], upper: readonly (number | null)[], fill: string, labels: [string, string]): LinePoints[] {
  return [
    { label: labels[0], data: logPoints(times, lower), borderWidth: 0, pointRadius: 0, fill: false, order: 2 },
    { label: labels[1], data: logPoints(times, upper), borderWidth: 0, pointRadius: 0, backgroundColor: fill, fill: '-1', order: 2 },
  ];
}

export const linearAxis = (title: string) => ({ type: 'linear' as const, title: { display: true, text: title } });

/** Labels only 1, 2, 5 times powers of ten on log axes. */
export function logTick(v: number): string {
  if (!(v > 0)) return '';
  const e = Math.floor(Math.log10(v) + 1e-9);
  const m = Math.round(v / 10 ** e);
  if (![1, 2, 5].includes(m) || Math.abs(v / 10 ** e - m) > 1e-6) return '';
  return e >= -4 && e <= 4 ? String(Number(v.toPrecision(3))) : `${m}e${e}`;
}
