// Pure transforms from API replies to what the charts draw. No DOM here.
import type { TrajectoryPointReply } from '@mfsim/contracts';
import { TRAJECTORY_COLUMNS, toCsv } from '@mfsim/client';
import { summarizeReplicas, type SweepExtrapolationRow } from '@mfsim/stats';

export type LossKey = 'trainLoss' | 'testLoss';

export interface LossSeries {
  /** Recorded times, ascending. */
  times: number[];
  /** [R][T], null where missing or not finite. */
  replicas: (number | null)[][];
  replicaIds: number[];
  /** [T]: mean over the replicas with a finite value, and its standard error sqrt(var / count) (summarizeReplicas). */
  mean: (number | null)[];
  standardError: (number | null)[];
}

/** points of all replicas -> per replica the loss at every recorded time, with mean and standard error. */
export function lossSeries(points: readonly TrajectoryPointReply[], key: LossKey): LossSeries {
  const times = [...new Set(points.map((p) => p.time))].sort((a, b) => a - b);
  const column = new Map(times.map((t, i) => [t, i]));
  const replicaIds = [...new Set(points.map((p) => p.replica))].sort((a, b) => a - b);
  const row = new Map(replicaIds.map((r, i) => [r, i]));
  const replicas = replicaIds.map(() => new Array<number | null>(times.length).fill(null));
  for (const p of points) {
    const v = p[key];
    replicas[row.get(p.replica)!][column.get(p.time)!] = v !== null && Number.isFinite(v) ? v : null;
  }
  // per time, over the replicas with a finite value: the estimator the worker stores (packages/stats)
  const summaries = times.map((_, t) => summarizeReplicas(replicas.map((r) => r[t])));
  const mean = summaries.map((x) => x.mean);
  const standardError = summaries.map((x) => x.standardError);
  return { times, replicas, replicaIds, mean, standardError };
}

/** {x, y} points for a log-log chart: only positive, finite pairs. */
export function logPoints(xs: readonly number[], ys: readonly (number | null)[]): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (y !== null && x > 0 && y > 0 && Number.isFinite(x) && Number.isFinite(y)) out.push({ x, y });
  }
  return out;
}

export function trajectoryCsv(points: readonly TrajectoryPointReply[]): string {
  return toCsv(points, TRAJECTORY_COLUMNS);
}

/** The particles of one snapshot: per replica c [n] and w [n][d]. */
export interface Particles {
  step: number;
  c: number[][];
  w: number[][][];
}

const isNum = (v: unknown): v is number => typeof v === 'number';

/**
 * Reads a snapshot reply into [R][n] and [R][n][d], accepting nested arrays, or flat arrays with
 * `replicas`, `width` and `d` (or `shape`) beside them.
 */
export function readSnapshot(reply: Record<string, unknown>): Particles {
  const step = Number(reply.step ?? 0);
  const c = reply.c as unknown;
  const w = reply.w as unknown;
  const cNested = Array.isArray(c) && Array.isArray(c[0]);
  const R = Number(reply.replicas ?? (cNested ? (c as unknown[]).length : 1));
  const n = Number(reply.width ?? (cNested ? (c as number[][])[0].length : (c as unknown[]).length / R));
  const cs: number[][] = cNested
    ? (c as number[][])
    : Array.from({ length: R }, (_, r) => (c as number[]).slice(r * n, (r + 1) * n));
  let ws: number[][][];
  if (Array.isArray(w) && Array.isArray(w[0]) && Array.isArray((w as unknown[][])[0][0])) ws = w as number[][][];
  else if (Array.isArray(w) && Array.isArray(w[0])) {
    // [R*n][d] or, for one replica, [n][d]
    const rows = w as number[][];
    ws = Array.from({ length: R }, (_, r) => rows.slice(r * n, (r + 1) * n));
  } else {
    const flat = (w as unknown[]).filter(isNum);
    const d = Number(reply.d ?? flat.length / (R * n));
    ws = Array.from({ length: R }, (_, r) =>
      Array.from({ length: n }, (_, i) => flat.slice((r * n + i) * d, (r * n + i + 1) * d)),
    );
  }
  return { step, c: cs, w: ws };
}

export const norm = (v: readonly number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

/** Scatter points (x = |w| or w . u, y = c) for each replica. u: a unit vector, or null for |w|. */
export function particlePoints(p: Particles, direction: readonly number[] | null): { x: number; y: number }[][] {
  return p.c.map((cs, r) =>
    cs.map((c, i) => {
      const w = p.w[r][i];
      const x = direction === null ? norm(w) : w.reduce((s, wi, k) => s + wi * (direction[k] ?? 0), 0);
      return { x, y: c };
    }),
  );
}

/** One recorded time of a sweep's mean-field extrapolation: per probe, mean output ≈ output + slope / n. */
export type ExtrapolationRow = SweepExtrapolationRow;

const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** The statistics reply's `extrapolation` (typed loosely by the contract) read into rows; malformed entries are left out. */
export function readExtrapolation(rows: readonly unknown[] | undefined): ExtrapolationRow[] {
  const out: ExtrapolationRow[] = [];
  for (const r of rows ?? []) {
    if (r === null || typeof r !== 'object') continue;
    const o = r as Record<string, unknown>;
    if (typeof o.time !== 'number' || !Array.isArray(o.outputs)) continue;
    out.push({
      step: typeof o.step === 'number' ? o.step : 0,
      time: o.time,
      widths: Array.isArray(o.widths) ? o.widths.filter((w): w is number => typeof w === 'number' && w > 0) : [],
      outputs: o.outputs.map(numOrNull),
      slopes: Array.isArray(o.slopes) ? o.slopes.map(numOrNull) : [],
      reason: typeof o.reason === 'string' ? o.reason : null,
    });
  }
  return out.sort((a, b) => a.time - b.time);
}

/** The row at `time`, else the nearest recorded one. */
export function extrapolationAt(rows: readonly ExtrapolationRow[], time: number): ExtrapolationRow | null {
  let best: ExtrapolationRow | null = null;
  for (const r of rows) if (best === null || Math.abs(r.time - time) < Math.abs(best.time - time)) best = r;
  return best;
}

/** The fitted line of one probe, from n = ∞ (1/n = 0) to the smallest width: {x: 1/n, y}. */
export function extrapolationLine(row: ExtrapolationRow, probe: number): { x: number; y: number }[] {
  const a = row.outputs[probe];
  const b = row.slopes[probe];
  if (a === null || a === undefined || b === null || b === undefined || row.widths.length === 0) return [];
  const xs = [0, ...[...new Set(row.widths)].sort((p, q) => q - p).map((n) => 1 / n)];
  return xs.map((x) => ({ x, y: a + b * x }));
}
