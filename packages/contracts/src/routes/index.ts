// Every route of the API, defined once (define.ts says how to add one). apps/api registers them,
// the OpenAPI document is generated from them, and the SDK calls them by these definitions.
import { simulationRoutes } from './simulations.ts';
import { scheduleRoutes, sweepRoutes } from './sweeps.ts';
import { datasetRoutes, keyRoutes, opsRoutes } from './service.ts';
import { limitsRoutes } from './limits.ts';

export * from './define.ts';
export { apiSchemas } from './schemas.ts';
export { simulationRoutes } from './simulations.ts';
export { scheduleRoutes, sweepRoutes } from './sweeps.ts';
export { datasetRoutes, keyRoutes, opsRoutes } from './service.ts';
export { limitsRoutes, limitsPredictionSchema, simulationLimitsSchema, sweepLimitsSchema, sweepMeanFieldSchema, limitsRequestSchema, SWEEP_LIMITS_CSV_COLUMNS } from './limits.ts';

export const apiRoutes = { simulations: simulationRoutes, sweeps: sweepRoutes, schedules: scheduleRoutes, keys: keyRoutes, datasets: datasetRoutes, ops: opsRoutes, limits: limitsRoutes };
