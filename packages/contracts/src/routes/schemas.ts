// The named schemas of the OpenAPI document (`#/components/schemas/<id>`): a route's body or reply
// that is one of these is written as a $ref to it. A schema read as input gets the id + "Input"
// (SpecInput), one read as output the id itself (fastify-type-provider-zod's IO registries).
import { z } from 'zod';
import { errorSchema, simulationListSchema, simulationSchema, trajectorySchema } from '../api.ts';
import { specSchema } from '../spec.ts';
import { datasetListSchema, datasetRequestSchema, datasetSchema } from '../datasets.ts';
import {
  apiKeyListSchema, apiKeySchema, createdApiKeySchema, newApiKeySchema, simulationEventSchema, snapshotListSchema, snapshotSchema,
  sweepEventSchema,
} from '../service.ts';
import {
  scalingReplySchema, scheduleListSchema, scheduleRequestSchema, scheduleSchema, simulationStatisticsSchema, sweepListSchema,
  sweepRequestSchema, sweepSchema, sweepStatisticsSchema,
} from '../sweeps.ts';

export const apiSchemas = z.registry<{ id: string }>();

const named: [z.ZodType, string][] = [
  [specSchema, 'Spec'], [simulationSchema, 'Simulation'], [simulationListSchema, 'SimulationList'], [trajectorySchema, 'Trajectory'],
  [errorSchema, 'Error'], [snapshotSchema, 'Snapshot'], [snapshotListSchema, 'SnapshotList'],
  [newApiKeySchema, 'NewApiKey'], [apiKeySchema, 'ApiKey'], [createdApiKeySchema, 'CreatedApiKey'], [apiKeyListSchema, 'ApiKeyList'],
  [datasetRequestSchema, 'DatasetRequest'], [datasetSchema, 'Dataset'], [datasetListSchema, 'DatasetList'],
  [sweepRequestSchema, 'SweepRequest'], [sweepSchema, 'Sweep'], [sweepListSchema, 'SweepList'], [sweepStatisticsSchema, 'SweepStatistics'],
  [scalingReplySchema, 'Scaling'], [simulationStatisticsSchema, 'SimulationStatistics'],
  [scheduleRequestSchema, 'ScheduleRequest'], [scheduleSchema, 'Schedule'], [scheduleListSchema, 'ScheduleList'],
  [simulationEventSchema, 'SimulationEvent'], [sweepEventSchema, 'SweepEvent'],
];
for (const [schema, id] of named) apiSchemas.add(schema, { id });
