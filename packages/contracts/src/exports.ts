// Exports: a selection of simulations, or a sweep, as one zip (GET /v1/simulations/export.zip,
// GET /v1/sweeps/{id}/export.zip).
import { z } from 'zod';

export const EXPORT_LIMITS = {
  /** Simulations in one selection (a sweep holds at most 512 and is exported by its own route). */
  maxSimulations: 100,
} as const;

const commaIds = (v: unknown) => (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',') : [x])).map((x) => (typeof x === 'string' ? x.trim() : x)).filter((x) => x !== '');

export const exportQuerySchema = z.strictObject({
  /** The simulations: comma-separated ids, or the parameter repeated. */
  ids: z.preprocess(commaIds, z.array(z.string().uuid('not a simulation id (a UUID)')).min(1, 'give at least one id').max(EXPORT_LIMITS.maxSimulations, `at most ${EXPORT_LIMITS.maxSimulations} ids`))
    .meta({ description: `Simulation ids, comma-separated or repeated (1 to ${EXPORT_LIMITS.maxSimulations})` }),
});
export type ExportQuery = z.infer<typeof exportQuerySchema>;
