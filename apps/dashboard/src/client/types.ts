// Reply shapes as the dashboard reads them: all from @mfsim/contracts (one source of truth).
import type { z } from 'zod';
import type { scalingFitSchema, sweepStatisticsSchema, sweepSummarySchema } from '@mfsim/contracts';

export type { ScheduleReply, SimulationReply, SweepReply } from '@mfsim/contracts';
export type SweepSummary = z.infer<typeof sweepSummarySchema>;
export type SweepStatisticsReply = z.infer<typeof sweepStatisticsSchema>;
export type SweepSeriesStatistics = SweepStatisticsReply['series'][number];
export type ScalingFit = z.infer<typeof scalingFitSchema>;

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Sweep statuses after which nothing changes. */
export const SWEEP_FINAL: readonly string[] = ['completed', 'cancelled'];
