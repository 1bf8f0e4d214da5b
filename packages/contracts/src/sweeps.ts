// Sweeps (a grid of simulations over spec fields), their statistics, and schedules that fire sweeps.
import { z } from 'zod';
import { idSchema, simulationStatusSchema } from './api.ts';
import type { FieldIssue } from './issues.ts';
import { fieldIssues } from './issues.ts';
import { LIMITS, specSchema, type Spec } from './spec.ts';
import { cronPatternProblem } from './bounds.ts';

export const SWEEP_LIMITS = { maxPoints: 512, maxValuesPerPath: 256, maxPaths: 8 } as const;

/** A dotted path into the spec: "student.width", "training.batchSize". */
const dottedPath = z.string().regex(/^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$/, 'must be a dotted spec path like "student.width"');

export const sweepRequestSchema = z.strictObject({
  name: z.string().max(200).optional(),
  /** The spec every grid point starts from; checked once expanded, point by point. */
  base: z.record(z.string(), z.unknown()),
  /** Dotted spec path -> values; the sweep runs every combination (the Cartesian product). */
  grid: z
    .record(dottedPath, z.array(z.unknown()).min(1).max(SWEEP_LIMITS.maxValuesPerPath))
    .refine((g) => Object.keys(g).length >= 1, 'give at least one path')
    .refine((g) => Object.keys(g).length <= SWEEP_LIMITS.maxPaths, `at most ${SWEEP_LIMITS.maxPaths} paths`),
  /** Replicas per grid point; default base.replicas. */
  replicas: z.number().int().min(1).max(LIMITS.maxReplicas).optional(),
  /**
   * One more child per series, much wider than the grid: its mean loss curve is the series'
   * mean-field reference L_ref(t), and the sweep fits the excess m_n(t) - L_ref(t) against n.
   * Left out of the plain width scaling.
   */
  reference: z.strictObject({
    width: z.number().int().min(1).max(LIMITS.maxWidth).describe('Larger than every width of the grid'),
    replicas: z.number().int().min(1).max(LIMITS.maxReplicas),
  }).optional().describe('One more child per series at this width (role "reference"): its mean loss is L_ref(t), the excess m_n - L_ref is fitted against n; left out of the plain scaling'),
});
export type SweepRequest = z.infer<typeof sweepRequestSchema>;

/** What a child is for: a point of the grid, or a series' mean-field reference (`reference` in the request). */
export type SweepChildRole = 'grid' | 'reference';
/** The key of a stored sweep point that marks the reference child (never a spec path: the spec has no `role`). */
export const SWEEP_ROLE_KEY = 'role';

/** A stored sweep point -> the role of its child. */
export function sweepChildRole(point: Record<string, unknown> | null | undefined): SweepChildRole {
  return point?.[SWEEP_ROLE_KEY] === 'reference' ? 'reference' : 'grid';
}

/** One grid point: its values by path (a reference child's also carry `role: "reference"`), and the validated spec. */
export interface SweepPointSpec {
  point: Record<string, unknown>;
  spec: Spec;
}

export type SweepExpansion = { ok: true; seed: number; points: SweepPointSpec[] } | { ok: false; issues: FieldIssue[] };

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = structuredClone(value);
}

/**
 * Expands a sweep request into one validated spec per grid point (last path varies fastest).
 * Every spec gets the same seed (base.seed, else `seed`): the points share target, data and probes.
 * Issues name the field: "grid.student.width.2" for the third value of that path,
 * "base.training.dt" for the base, "replicas" for the replicas.
 */
export function expandSweep(request: SweepRequest, seed: number): SweepExpansion {
  const paths = Object.keys(request.grid);
  const count = paths.reduce((n, p) => n * request.grid[p].length, 1);
  if (count > SWEEP_LIMITS.maxPoints) {
    return { ok: false, issues: [{ path: 'grid', message: `${count} grid points; at most ${SWEEP_LIMITS.maxPoints}` }] };
  }
  const baseSeed = typeof request.base.seed === 'number' ? request.base.seed : seed;
  const issues = new Map<string, FieldIssue>();
  const points: SweepPointSpec[] = [];
  for (let k = 0; k < count; k++) {
    const index: number[] = [];
    let rest = k;
    for (let p = paths.length - 1; p >= 0; p--) {
      const len = request.grid[paths[p]].length;
      index[p] = rest % len;
      rest = Math.floor(rest / len);
    }
    const raw = structuredClone(request.base);
    const point: Record<string, unknown> = {};
    paths.forEach((path, p) => {
      point[path] = request.grid[path][index[p]];
      setPath(raw, path, point[path]);
    });
    if (request.replicas !== undefined) raw.replicas = request.replicas;
    raw.seed = baseSeed;
    raw.name = sweepChildName(request.name ?? (typeof request.base.name === 'string' ? request.base.name : undefined), point, baseSeed);
    const parsed = specSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of fieldIssues(parsed.error)) {
        const named = nameIssue(issue, paths, index, request.replicas !== undefined);
        issues.set(`${named.path}\u0000${named.message}`, named);
      }
      continue;
    }
    points.push({ point, spec: parsed.data });
  }
  if (issues.size > 0) return { ok: false, issues: [...issues.values()] };
  if (request.reference) {
    const reference = referencePoints(request, points, baseSeed);
    if (!reference.ok) return reference;
    points.push(...reference.points);
  }
  return { ok: true, seed: baseSeed, points };
}

/**
 * The reference children: one per series (the grid values other than the width), at
 * `reference.width` with `reference.replicas`, otherwise the spec of that series' points. The width
 * must exceed every width of the grid, else the issue names `reference.width`.
 */
function referencePoints(request: SweepRequest, grid: SweepPointSpec[], seed: number): SweepExpansion {
  const reference = request.reference!;
  const widest = Math.max(...grid.map((p) => p.spec.student.width));
  if (!(reference.width > widest)) {
    return { ok: false, issues: [{ path: 'reference.width', message: `must be larger than every width of the grid (the widest is ${widest}); got ${reference.width}` }] };
  }
  const seen = new Set<string>();
  const points: SweepPointSpec[] = [];
  for (const { point, spec } of grid) {
    const key = sweepSeriesKey(point);
    if (seen.has(key)) continue;
    seen.add(key);
    const values: Record<string, unknown> = { ...point, 'student.width': reference.width };
    const raw = structuredClone(spec) as Record<string, unknown>;
    setPath(raw, 'student.width', reference.width);
    raw.replicas = reference.replicas;
    raw.name = `${sweepChildName(request.name ?? (typeof request.base.name === 'string' ? request.base.name : undefined), values, seed)} reference`.slice(0, 200);
    const parsed = specSchema.safeParse(raw);
    if (!parsed.success) {
      return { ok: false, issues: fieldIssues(parsed.error).map((i) => ({ path: i.path === 'student.width' ? 'reference.width' : i.path === 'replicas' ? 'reference.replicas' : `reference (${i.path})`, message: i.message })) };
    }
    points.push({ point: { ...values, [SWEEP_ROLE_KEY]: 'reference' }, spec: parsed.data });
  }
  return { ok: true, seed, points };
}

/**
 * A sweep child's name: the sweep's name (else the base's, else "sweep"), then each grid value by the
 * last part of its path, then the seed: `widths width=64 seed=7`. At most 200 characters (the spec's bound).
 */
export function sweepChildName(sweepName: string | undefined, point: Record<string, unknown>, seed: number): string {
  const parts = Object.entries(point).map(([path, v]) => `${path.split('.').pop()}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
  if (!('seed' in point)) parts.push(`seed=${seed}`);
  return `${sweepName?.trim() || 'sweep'} ${parts.join(' ')}`.slice(0, 200);
}

// An issue at (or under) a grid path belongs to that grid value; otherwise to the base.
function nameIssue(issue: FieldIssue, paths: string[], index: number[], replicasGiven: boolean): FieldIssue {
  const p = paths.findIndex((path) => issue.path === path || issue.path.startsWith(`${path}.`));
  if (p >= 0) {
    const under = issue.path.slice(paths[p].length);
    return { path: `grid.${paths[p]}.${index[p]}${under}`, message: issue.message };
  }
  if (replicasGiven && issue.path === 'replicas') return issue;
  return { path: issue.path === '(body)' ? 'base' : `base.${issue.path}`, message: issue.message };
}

/** The position of a point in the grid's expansion order (last path fastest); -1 when not in the grid. */
export function sweepPointIndex(grid: Record<string, unknown[]>, point: Record<string, unknown>): number {
  let index = 0;
  for (const path of Object.keys(grid)) {
    const values = grid[path].map((v) => JSON.stringify(v));
    const k = values.indexOf(JSON.stringify(point[path]));
    if (k < 0) return -1;
    index = index * values.length + k;
  }
  return index;
}

/** The series a point belongs to: its grid values other than the width (and the role), as canonical JSON ("{}"). */
export function sweepSeriesKey(point: Record<string, unknown>): string {
  const rest = Object.keys(point)
    .filter((k) => k !== 'student.width' && k !== SWEEP_ROLE_KEY)
    .sort()
    .map((k) => [k, point[k]] as const);
  return JSON.stringify(Object.fromEntries(rest));
}

// ---- replies ------------------------------------------------------------------
export const SWEEP_STATUSES = ['queued', 'running', 'completed', 'cancelled'] as const;
export const sweepStatusSchema = z.enum(SWEEP_STATUSES);
export type SweepStatus = z.infer<typeof sweepStatusSchema>;

export const sweepChildSchema = z.object({
  simulationId: idSchema,
  point: z.record(z.string(), z.unknown()),
  /** `reference`: the series' wide mean-field reference run, left out of the plain width scaling. */
  role: z.enum(['grid', 'reference']),
  width: z.number().int(),
  status: simulationStatusSchema,
  progress: z.number(),
  error: z.string().nullable(),
});

export const sweepSchema = z.object({
  id: idSchema,
  name: z.string().nullable(),
  /** `running` once any child has started; `completed` once the statistics are stored. */
  status: sweepStatusSchema,
  /** Mean of the children's progress, 0 to 1. */
  progress: z.number(),
  base: z.record(z.string(), z.unknown()),
  grid: z.record(z.string(), z.array(z.unknown())),
  replicas: z.number().int(),
  seed: z.number().int(),
  /** The reference child's width and replicas (one per series); null without one. */
  reference: z.object({ width: z.number().int(), replicas: z.number().int() }).nullable(),
  /** True when some grid point has no statistics: its run failed, diverged or was cancelled. */
  partial: z.boolean(),
  /** The grid points without statistics (once completed). */
  missing: z.array(sweepChildSchema),
  /** Children per status. */
  counts: z.record(z.string(), z.number().int()),
  children: z.array(sweepChildSchema),
  scheduleId: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type SweepReply = z.infer<typeof sweepSchema>;

export const sweepSummarySchema = sweepSchema.omit({ children: true, missing: true });
export const sweepListSchema = z.object({ items: z.array(sweepSummarySchema), nextCursor: z.string().nullable() });

export const sweepListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
  scheduleId: idSchema.optional(),
});

const nullableNumber = z.number().nullable();

/**
 * One recorded time of one simulation, over its replicas: the one declaration of the statistics row
 * (packages/stats computes it as `SimulationStatisticsRow`, this type).
 */
export const statisticsRowSchema = z.object({
  step: z.number().int(),
  time: z.number(),
  /** Mean test loss m_n(t) over finite, stable replicas; null when none. */
  meanLoss: nullableNumber,
  /** Unbiased variance v_n(t) over replicas (divisor R - 1); null when fewer than 2. */
  lossVariance: nullableNumber,
  /** sqrt(v_n(t) / R). */
  standardError: nullableNumber,
  /** Stable replicas with a finite test loss. */
  count: z.number().int(),
  /** Stable replicas whose test loss was null or not finite. */
  dropped: z.number().int(),
  /** Replicas left out because they went unstable (science.md, "Stability"). */
  unstable: z.number().int(),
  /** Mean over probes of Var f / (n alpha_n^2): n Var f under mean-field, Var f under ntk; null without probes. */
  fluctuation: nullableNumber,
  /** Mean over probes of the variance over replicas of the output. */
  meanOutputVariance: nullableNumber,
  /** Unbiased (k4 / k2^2), mean over probes, and its jackknife standard error. */
  excessKurtosis: nullableNumber,
  excessKurtosisError: nullableNumber,
  /** Connected 4-point function across probe pairs, k(i,i,j,j) / (k(i,i) k(j,j) + 2 k(i,j)^2). */
  fourPoint: nullableNumber,
  /** Probes whose variance was defined. */
  probes: z.number().int(),
});
export type StatisticsRow = z.infer<typeof statisticsRowSchema>;

export const simulationStatisticsSchema = z.object({
  simulationId: idSchema,
  width: z.number().int(),
  replicas: z.number().int(),
  /** Per replica the recorded step at which it went unstable (null: stable); those are left out of the rows. */
  unstableAtStep: z.array(z.number().int().nullable()).nullable().optional(),
  rows: z.array(statisticsRowSchema),
});

const goodnessSchema = z.object({
  chiSquare: z.number(),
  degreesOfFreedom: z.number().int(),
  reducedChiSquare: nullableNumber,
  /** P(chi-square >= observed); null with no degrees of freedom. */
  pValue: nullableNumber,
  /** pValue >= 0.05. */
  passes: z.boolean().nullable(),
});
const estimateSchema = z.object({ value: z.number(), standardError: z.number(), lower: z.number(), upper: z.number(), level: z.number() });

const localSlopesSchema = z.array(z.object({ fromWidth: z.number().int(), toWidth: z.number().int(), alpha: z.number(), standardError: z.number() }));
const intervalSchema = z.object({ lower: z.number(), upper: z.number(), level: z.number(), resamples: z.number().int() });
/**
 * paired: the replicas share seeds across widths, so the fit is GLS with the covariance of the widths'
 * means estimated from the paired replicas (chi-square with Hartlap's correction, p from Hotelling's
 * T^2); independent: weighted by each width's standard error alone, with `covarianceReason` saying why.
 */
const covarianceSchema = z.enum(['paired', 'independent']);

/** L_ref(t): the reference run's mean loss at one recorded time. */
export const referenceLossSchema = z.object({ width: z.number().int(), meanLoss: z.number(), standardError: z.number(), count: z.number().int() });

/**
 * The scaling of the excess m_n(t) - L_ref(t) with n: the plain fit's method on the excess, each
 * width's standard error combined with the reference's; the interval resamples the reference too.
 */
export const excessScalingSchema = z.object({
  alpha: nullableNumber,
  logIntercept: nullableNumber,
  standardError: nullableNumber,
  interval: intervalSchema.nullable(),
  joint: z.boolean(),
  goodness: goodnessSchema.nullable(),
  powerLaw: z.enum(['consistent', 'rejected', 'untested']).nullable(),
  covariance: covarianceSchema.optional(),
  covarianceReason: z.string().nullable().optional(),
  verdict: z.string(),
  localSlopes: localSlopesSchema,
  /** Per width: the excess m_n - L_ref, its combined standard error and the replica count. */
  points: z.array(z.object({ width: z.number().int(), meanLoss: z.number(), standardError: z.number(), count: z.number().int() })),
  excludedWidths: z.array(z.number().int()),
  /** Widths whose loss was not above L_ref: left out. */
  nonPositiveWidths: z.array(z.number().int()),
  reference: referenceLossSchema.nullable(),
  reason: z.string().nullable(),
  intervalReason: z.string().nullable(),
});

export const scalingFitSchema = z.object({
  step: z.number().int(),
  time: z.number(),
  /** loss ~ n^-alpha from log m_n against log n, weighted by each width's standard error. */
  alpha: nullableNumber,
  logIntercept: nullableNumber,
  standardError: nullableNumber.optional(),
  /** Percentile bootstrap over replicas (jointly across widths when `joint`). */
  interval: z.object({ lower: z.number(), upper: z.number(), level: z.number(), resamples: z.number().int() }).nullable(),
  joint: z.boolean().optional(),
  /** Goodness of the power-law fit; `powerLaw` is consistent only when it passes (p >= 0.05). */
  goodness: goodnessSchema.nullable().optional(),
  powerLaw: z.enum(['consistent', 'rejected', 'untested']).nullable().optional(),
  /** How the fits treated the correlation of the widths' means (paired replicas: GLS). */
  covariance: covarianceSchema.optional(),
  /** Why the widths were fitted as independent; null when paired. */
  covarianceReason: z.string().nullable().optional(),
  verdict: z.string().optional(),
  /** -d log m / d log n between neighbouring widths. */
  localSlopes: z.array(z.object({ fromWidth: z.number().int(), toWidth: z.number().int(), alpha: z.number(), standardError: z.number() })).optional(),
  /** The widths fitted on, with their mean loss, its standard error and the replica count. */
  points: z.array(z.object({ width: z.number().int(), meanLoss: z.number(), standardError: z.number().optional(), count: z.number().int() })),
  excludedWidths: z.array(z.number().int()),
  missingWidths: z.array(z.number().int()),
  partial: z.boolean(),
  reason: z.string().nullable(),
  intervalReason: z.string().nullable(),
  /** L_inf + A n^-alpha: weighted, L_inf >= 0, >= 4 widths, bootstrap intervals; null fields with a reason otherwise. */
  saturating: z.unknown().nullable(),
  /** L_inf + a/n (+ b/n^2 with 5 or more widths): L_inf estimates the mean-field limit of the loss. */
  finiteWidth: z.object({
    lInf: estimateSchema.nullable(), a: estimateSchema.nullable(), b: estimateSchema.nullable(), parameters: z.number().int(),
    goodness: goodnessSchema.nullable(), widths: z.array(z.number().int()), reason: z.string().nullable(),
    covariance: covarianceSchema.optional(), covarianceReason: z.string().nullable().optional(),
  }).optional(),
  /** Var f = sigma2_noise + a_f / n across widths (the SGD noise shared by all particles, plus the CLT part). */
  noise: z.object({
    sigma2Noise: estimateSchema.nullable(), aF: estimateSchema.nullable(), goodness: goodnessSchema.nullable(),
    widths: z.array(z.number().int()), reason: z.string().nullable(),
    covariance: covarianceSchema.optional(), covarianceReason: z.string().nullable().optional(),
  }).nullable().optional(),
  /** The excess over the sweep's reference run (`reference` in the request); null or absent without one. */
  excess: excessScalingSchema.nullable().optional(),
});

export const sweepSeriesStatisticsSchema = z.object({
  /** The grid values other than the width shared by this series ({} for a sweep over widths only). */
  series: z.record(z.string(), z.unknown()),
  widths: z.array(z.number().int()),
  missingWidths: z.array(z.number().int()),
  partial: z.boolean(),
  /** Per width (ascending): the child's statistics over its replicas. */
  byWidth: z.array(z.object({ width: z.number().int(), simulationId: idSchema, status: simulationStatusSchema, rows: z.array(statisticsRowSchema) })),
  /** The series' reference run (`reference` in the request): its own statistics, left out of `byWidth` and of the plain scaling; null without one. */
  reference: z.object({ width: z.number().int(), simulationId: idSchema, status: simulationStatusSchema, rows: z.array(statisticsRowSchema) }).nullable().optional(),
  /** Per recorded time: the scaling of the mean loss with the width (and, with a reference, of the excess over it). */
  scaling: z.array(scalingFitSchema),
  extrapolation: z.array(z.unknown()),
});

export const sweepStatisticsSchema = z.object({
  sweepId: idSchema,
  status: sweepStatusSchema,
  partial: z.boolean(),
  series: z.array(sweepSeriesStatisticsSchema),
});

export const scalingQuerySchema = z.strictObject({
  /** The time to report at: the nearest recorded time is used. Default: the last recorded time. */
  time: z.coerce.number().refine(Number.isFinite, 'must be a finite number').optional(),
  /** The series as JSON; default the first ("{}" for a sweep over widths only). */
  series: z.string().max(2000).optional(),
});

export const scalingReplySchema = scalingFitSchema.extend({
  sweepId: idSchema,
  series: z.record(z.string(), z.unknown()),
  /** The time asked for (null: none, the last recorded time is used); `time` is the recorded time used. */
  requestedTime: z.number().nullable(),
  /** True when `time` differs from the time asked for (snapped to the nearest recorded time). */
  snapped: z.boolean(),
});

// ---- schedules ------------------------------------------------------------------
/** Cron with 5 or 6 fields (seconds first when 6), as BullMQ's job schedulers read it. */
const cronPattern = z.string().min(9).max(200).superRefine((p, ctx) => {
  const problem = cronPatternProblem(p);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

const timeZone = z.string().min(1).max(100).refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone like "Europe/Paris"');

export const scheduleRequestSchema = z.strictObject({
  name: z.string().max(200).optional(),
  pattern: cronPattern,
  timeZone: timeZone.default('UTC'),
  /** The sweep every firing submits. */
  sweep: sweepRequestSchema,
});
export type ScheduleRequest = z.infer<typeof scheduleRequestSchema>;

export const scheduleSchema = z.object({
  id: idSchema,
  name: z.string().nullable(),
  pattern: z.string(),
  timeZone: z.string(),
  sweep: sweepRequestSchema,
  paused: z.boolean(),
  /** When it fires next (null while paused). */
  nextFireAt: z.string().nullable(),
  /** Sweeps it has created. */
  sweeps: z.number().int(),
  createdAt: z.string(),
  /** When it was deleted (it never fires again; its sweeps keep their `scheduleId`); null while it lives. */
  deletedAt: z.string().nullable(),
});
export type ScheduleReply = z.infer<typeof scheduleSchema>;
export const scheduleListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional(),
  /** `true`: deleted schedules too (with `deletedAt`); left out by default. */
  includeDeleted: z.enum(['true', 'false']).transform((v) => v === 'true').optional(),
});
export const scheduleListSchema = z.object({ items: z.array(scheduleSchema), nextCursor: z.string().nullable() });
