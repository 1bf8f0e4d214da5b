// Reply shapes of the sweep and schedule routes (issue 4) as the dashboard reads them. The
// simulation shapes come from @mfsim/contracts; these are read tolerantly (optional fields).
import type { SimulationReply } from '@mfsim/contracts';

export type { SimulationReply };

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface SweepChild {
  id: string;
  status: string;
  progress: number;
  /** The grid point: dotted spec path -> value. */
  point?: Record<string, unknown>;
  width?: number;
  name?: string | null;
}

export interface SweepReply {
  id: string;
  name: string | null;
  status: string;
  progress: number;
  grid?: Record<string, unknown[]>;
  replicas?: number;
  scheduleId?: string | null;
  createdAt: string;
  finishedAt?: string | null;
  children?: SweepChild[];
  simulations?: SweepChild[];
}

export interface SweepStatisticsRow {
  width: number;
  step: number;
  time: number;
  meanLoss: number | null;
  lossVariance?: number | null;
  standardError: number | null;
  count: number;
  fluctuation: number | null;
  excessKurtosis?: number | null;
}

export interface ScalingReply {
  step?: number;
  time: number;
  alpha: number | null;
  logIntercept: number | null;
  interval: { lower: number; upper: number; level: number } | null;
  points: { width: number; meanLoss: number; count?: number }[];
  partial?: boolean;
  missingWidths?: number[];
  reason?: string | null;
}

export interface SweepStatisticsReply {
  widths: number[];
  partial?: boolean;
  missingWidths?: number[];
  rows: SweepStatisticsRow[];
  scaling?: ScalingReply[];
}

export interface ScheduleReply {
  id: string;
  name?: string | null;
  pattern?: string;
  cron?: string;
  timezone?: string;
  tz?: string;
  paused?: boolean;
  status?: string;
  nextRunAt?: string | null;
  next?: string | null;
  createdAt?: string;
  sweeps?: { id: string; status?: string; createdAt?: string; name?: string | null }[];
}

export const childrenOf = (s: SweepReply): SweepChild[] => s.children ?? s.simulations ?? [];

/** The width of a sweep child, from its grid point or its own field. */
export function childWidth(c: SweepChild): number | null {
  const w = c.width ?? c.point?.['student.width'];
  return typeof w === 'number' ? w : null;
}
