// Request and reply shapes of the HTTP API. The OpenAPI document is generated from these.
import { z } from 'zod';
import { specSchema } from './spec.ts';
import { storableDate } from './bounds.ts';
import { SIMULATION_FINAL } from './lifecycle.ts';

export const SIMULATION_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled', 'diverged'] as const;
export const simulationStatusSchema = z.enum(SIMULATION_STATUSES);
export type SimulationStatus = z.infer<typeof simulationStatusSchema>;
/** Statuses after which a simulation never changes again (unless retried): the lifecycle table's. */
export const FINAL_STATUSES: readonly SimulationStatus[] = SIMULATION_FINAL;

export const idSchema = z.string().uuid();

export const simulationSchema = z.object({
  id: idSchema,
  name: z.string().nullable(),
  tags: z.array(z.string()),
  /** The researcher's free-text note (PATCH /v1/simulations/{id}). */
  note: z.string().nullable(),
  status: simulationStatusSchema,
  /** Fraction of the steps done, 0 to 1. */
  progress: z.number(),
  stepsDone: z.number().int(),
  seed: z.number().int(),
  spec: specSchema,
  /** The kernel that ran it ("native", "tfjs-wasm", ...) and the device. */
  backend: z.string().nullable(),
  device: z.string().nullable(),
  error: z.string().nullable(),
  /** The step at which the loss became non-finite, for `diverged` runs. */
  divergedAtStep: z.number().int().nullable(),
  /** Per replica the recorded step at which it went unstable (null: stable); null until its statistics are stored. */
  unstableAtStep: z.array(z.number().int().nullable()).nullable().optional(),
  sweepId: z.string().nullable(),
  createdAt: z.string(),
  /** When the last attempt started (a run resumed after a retry or a lost worker starts again). */
  startedAt: z.string().nullable(),
  /** When the first attempt started. */
  firstStartedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Wall-clock seconds the worker ran it, over every attempt (counted as chunks are stored, so it grows while it runs). */
  runSeconds: z.number().nullable(),
  /** The list's columns, from the spec: student.width, training.dynamics, training.dt, training.steps. */
  width: z.number().int(),
  dynamics: z.string(),
  dt: z.number(),
  steps: z.number().int(),
  /**
   * The replica-mean test and train loss at the last recorded step, and the least replica-mean test
   * loss over the recorded steps (means over the replicas with a finite value); null before the first
   * recorded step. Kept up to date while it runs.
   */
  finalTestLoss: z.number().nullable(),
  finalTrainLoss: z.number().nullable(),
  bestTestLoss: z.number().nullable(),
  /**
   * SHA-256 (hex) of the stored trajectory (every point, in step then replica order), set when the
   * run completes: two runs with the same digest have the same points, value for value.
   */
  trajectoryDigest: z.string().nullable(),
});
export type SimulationReply = z.infer<typeof simulationSchema>;

/** A list filter of one value or several: `a,b`, or the parameter repeated (`?status=a&status=b`). */
const commaList = (v: unknown) => (Array.isArray(v) ? v : [v]).flatMap((x) => (typeof x === 'string' ? x.split(',') : [x])).map((x) => (typeof x === 'string' ? x.trim() : x)).filter((x) => x !== '');
export const statusListSchema = z.preprocess(commaList, z.array(simulationStatusSchema).min(1).max(SIMULATION_STATUSES.length))
  .meta({ description: `One or several of ${SIMULATION_STATUSES.join(', ')}: comma-separated or repeated` });

/**
 * Fields a list can be sorted by (`-` first for descending; `totalSteps` is the older name of `steps`;
 * `dynamics` sorts by the spec's training.dynamics as text, then by id).
 */
export const SIMULATION_SORT_FIELDS = [
  'createdAt', 'width', 'progress', 'steps', 'totalSteps', 'dynamics', 'dt', 'runSeconds', 'finalTestLoss', 'bestTestLoss', 'finalTrainLoss',
] as const;
/** Orders a list can be sorted in: a field, `-` first for descending. Rows without a value (no loss yet) come last either way. */
export const SIMULATION_SORTS = SIMULATION_SORT_FIELDS.flatMap((f) => [`-${f}`, f] as const) as unknown as readonly [SimulationSortKey, ...SimulationSortKey[]];
type SimulationSortField = (typeof SIMULATION_SORT_FIELDS)[number];
export type SimulationSortKey = SimulationSortField | `-${SimulationSortField}`;
const simulationSortSchema = z.enum(SIMULATION_SORTS, { error: `sort by one of ${SIMULATION_SORT_FIELDS.join(', ')} (\`-\` first for descending)` })
  .meta({ description: `One of ${SIMULATION_SORT_FIELDS.join(', ')}; \`-\` first for descending (\`-finalTestLoss\`). Rows without a value come last.` });

/** `spec.<path>` list filters: dotted camelCase names, at most 6 deep (`spec.student.width`). */
export const SPEC_FILTER_PATTERN = /^spec(\.[A-Za-z][A-Za-z0-9]{0,63}){1,6}$/;
/** A spec filter's value as the stored spec holds it: a number, true/false or null, else the text. */
export function specFilterValue(text: string): string | number | boolean | null {
  if (text === 'true' || text === 'false') return text === 'true';
  if (text === 'null') return null;
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) ? n : text;
}

const listFilterShape = {
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
  /** One status or several: `status=completed,failed` or the parameter repeated. */
  status: statusListSchema.optional(),
  /** Case-insensitive part of the name. */
  name: z.string().min(1).max(200).optional(),
  /** Simulations carrying this tag. */
  tag: z.string().min(1).max(100).optional(),
  /** Simulations whose id starts with this (the short id the CLI and dashboard print). */
  idPrefix: z.string().regex(/^[0-9a-fA-F-]{1,36}$/, 'the start of an id: 1 to 36 hex digits or dashes').optional(),
  /** Search: a case-insensitive part of the name or the note, or one of the tags. */
  q: z.string().min(1).max(200).optional(),
  /** Simulations of this sweep (`sweepId`, the name the sweeps list's `scheduleId` follows; `sweep` is the older name). */
  sweepId: z.string().uuid().optional(),
  sweep: z.string().uuid().optional(),
  createdAfter: storableDate.optional(),
  createdBefore: storableDate.optional(),
  sort: simulationSortSchema.default('-createdAt'),
};

/**
 * The list's query: the filters above, and any spec field as `spec.<dotted path>=<value>`
 * (`?spec.student.width=256&spec.training.dynamics=sgd`: runs whose stored spec holds these values).
 * Any other parameter is a 400 naming it.
 */
export const listQuerySchema = z.object(listFilterShape)
  .catchall(z.string().max(200))
  .superRefine((q, ctx) => {
    for (const key of Object.keys(q)) {
      if (key in listFilterShape) continue;
      if (!key.startsWith('spec.')) ctx.addIssue({ code: 'custom', path: [key], message: `unknown parameter ${key}` });
      else if (!SPEC_FILTER_PATTERN.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'a spec filter is spec.<field>.<field>..., letters and digits, at most 6 deep' });
    }
  })
  .transform((q) => {
    const spec: Record<string, string | number | boolean | null> = {};
    const known: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(q)) {
      if (key in listFilterShape) known[key] = value;
      else spec[key.slice('spec.'.length)] = specFilterValue(value as string);
    }
    return { ...(known as z.infer<z.ZodObject<typeof listFilterShape>>), spec };
  });
export type ListQuery = z.infer<typeof listQuerySchema>;

/**
 * PATCH /v1/simulations/{id}: what a researcher names, tags and notes on a run after the fact.
 * Absent fields are kept; `null` clears name or note; `tags` replaces the tags. The spec keeps what was submitted.
 */
export const simulationLabelsSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(64)).max(32).refine((t) => new Set(t).size === t.length, 'tags repeat').optional(),
  note: z.string().max(10_000).nullable().optional(),
}).refine((b) => b.name !== undefined || b.tags !== undefined || b.note !== undefined, 'give at least one of name, tags, note');
export type SimulationLabels = z.infer<typeof simulationLabelsSchema>;

export const simulationListSchema = z.object({
  items: z.array(simulationSchema),
  /** Pass as `cursor` to get the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});

export const trajectoryPointSchema = z.object({
  replica: z.number().int(),
  step: z.number().int(),
  time: z.number(),
  /** null where the value was not finite (a diverged run) or not defined. */
  trainLoss: z.number().nullable(),
  testLoss: z.number().nullable(),
  testError: z.number().nullable(),
});
export type TrajectoryPointReply = z.infer<typeof trajectoryPointSchema>;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const finiteTime = z.coerce.number().min(-1e300).max(1e300);

export const trajectoryQuerySchema = z.strictObject({
  /** One replica; all replicas when absent. */
  replica: int(0, 100_000).optional(),
  fromStep: int(0, 2 ** 31 - 1).optional(),
  toStep: int(0, 2 ** 31 - 1).optional(),
  fromTime: finiteTime.optional(),
  toTime: finiteTime.optional(),
  /**
   * At most this many points in all (never fewer than each replica's first and last step), the
   * same steps for every replica: the steps are cut into buckets (see `axis`); each bucket keeps
   * the steps of least and largest replica-mean `by` and its last step (only its last step when
   * fewer than 32 points per replica are asked for); the range's first and last steps are kept.
   */
  maxPoints: int(4, 100_000).optional(),
  /** Downsampling buckets evenly in `log` step or in `linear` step; default: `log` for runs recorded with `logPoints`. */
  axis: z.enum(['linear', 'log']).optional(),
  /** The series whose extremes the downsampling keeps. */
  by: z.enum(['testLoss', 'trainLoss', 'testError']).default('testLoss'),
  /** Full scans: points per page, and `nextCursor` of the previous page. Not with maxPoints. */
  limit: int(1, 100_000).default(10_000),
  cursor: z.string().max(200).optional(),
  format: z.enum(['json', 'csv']).optional(),
});
export type TrajectoryQuery = z.infer<typeof trajectoryQuerySchema>;

export const trajectorySchema = z.object({
  simulationId: idSchema,
  points: z.array(trajectoryPointSchema),
  /** Full scans: pass as `cursor` for the next page; null on the last page (always null when downsampled). */
  nextCursor: z.string().nullable(),
  /** True when `maxPoints` thinned the points. */
  downsampled: z.boolean(),
});

export const errorIssueSchema = z.object({ path: z.string(), message: z.string() });
export const errorSchema = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  /** For 400: one entry per offending field, with its dotted path. */
  issues: z.array(errorIssueSchema).optional(),
});
export type ErrorReply = z.infer<typeof errorSchema>;
