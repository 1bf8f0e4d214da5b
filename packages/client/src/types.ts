// Reply and request shapes the client uses: z.infer of the zod contracts (packages/contracts),
// the one source of types. Only the client's own shapes (options, progress updates) are here.
import type { z } from 'zod';
import type {
  apiKeyListSchema, apiKeySchema, createdApiKeySchema, newApiKeySchema, scalingReplySchema, scheduleListSchema,
  simulationListSchema, simulationStatisticsSchema, sweepListSchema, sweepStatisticsSchema, trajectorySchema,
} from '@mfsim/contracts';

export type {
  ApiKeyRoleName, DatasetReply, DatasetRequest, FieldIssue, ScheduleReply, ScheduleRequest, SimulationEvent, SimulationReply, SimulationStatus,
  SpecInput, StatisticsRow, SweepReply, SweepRequest, TrajectoryPointReply,
} from '@mfsim/contracts';

export type SimulationList = z.infer<typeof simulationListSchema>;
export type TrajectoryReply = z.infer<typeof trajectorySchema>;
export type SimulationStatisticsReply = z.infer<typeof simulationStatisticsSchema>;
export type SweepList = z.infer<typeof sweepListSchema>;
export type SweepSummary = SweepList['items'][number];
export type SweepStatisticsReply = z.infer<typeof sweepStatisticsSchema>;
export type ScalingReply = z.infer<typeof scalingReplySchema>;
export type ScheduleList = z.infer<typeof scheduleListSchema>;
export type NewApiKey = z.input<typeof newApiKeySchema>;
export type ApiKeyReply = z.infer<typeof apiKeySchema>;
export type CreatedApiKeyReply = z.infer<typeof createdApiKeySchema>;
export type ApiKeyList = z.infer<typeof apiKeyListSchema>;

/** A page of any list route: `items`, and `nextCursor` (null on the last page). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface ListOptions {
  limit?: number;
  cursor?: string;
  /** Further filters the API accepts (status, name, tag, sweep, scheduleId, sort, ...). */
  [filter: string]: string | number | boolean | undefined;
}

export interface TrajectoryOptions {
  replica?: number;
  /** Downsample to about this many points per replica (server side). */
  maxPoints?: number;
  fromStep?: number;
  toStep?: number;
  fromTime?: number;
  toTime?: number;
}

/** What a progress stream yields: the latest status and losses of a simulation or sweep. */
export interface ProgressUpdate {
  status: string;
  /** 0 to 1. */
  progress: number;
  stepsDone?: number;
  totalSteps?: number;
  step?: number;
  time?: number;
  /** Replica means (SSE) or replica 0 (polling) of the latest recorded losses. */
  trainLoss?: number | null;
  testLoss?: number | null;
  /** "sse" when it came over Server-Sent Events, "poll" when by polling. */
  source: 'sse' | 'poll';
  /** The event's data as the API sent it. */
  raw?: unknown;
}
