// The simulation spec of shared/docs/science.md as zod schemas.
// Field names are the lab's contract: never rename, only add.
import { z } from 'zod';

/** Limits that keep one spec inside what one worker can hold and run. */
export const LIMITS = {
  maxDimension: 4096,
  maxWidth: 1_000_000,
  maxReplicas: 1024,
  maxSteps: 10_000_000,
  maxSampleSize: 1_000_000,
  maxRecordedSteps: 100_000,
  maxProbes: 4096,
  maxSnapshots: 1_000,
  maxPSpinOrder: 6,
  maxExplicitValues: 4_000_000,
} as const;

const finite = () => z.number();
const positive = () => z.number().positive();
const nonNegative = () => z.number().nonnegative();
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const dimension = () => int(1, LIMITS.maxDimension);
const vector = () => z.array(finite()).max(LIMITS.maxExplicitValues);
const matrix = () => z.array(vector()).max(LIMITS.maxSampleSize);

export const UNITS = ['tanh', 'sigmoid', 'relu', 'erf', 'gaussian', 'ramp'] as const;
export const unitSchema = z.enum(UNITS);
export type Unit = z.infer<typeof unitSchema>;

/** The `ramp` unit (Mei-Montanari-Nguyen): phi(t) = s1 for t <= t1, s2 for t >= t2, linear between; t1 < t2. */
export const rampSchema = z.strictObject({ s1: finite(), s2: finite(), t1: finite(), t2: finite() });
export type RampParams = z.infer<typeof rampSchema>;

// ---- inputs x in R^d -------------------------------------------------------
export const sampleSchema = z.strictObject({ x: matrix(), y: vector() });
export type Sample = z.infer<typeof sampleSchema>;

export const inputsSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('sphere'), d: dimension() }),
  z.strictObject({ kind: z.literal('gaussian'), d: dimension() }),
  z.strictObject({ kind: z.literal('uniform'), d: dimension(), a: positive().default(1) }),
  z.strictObject({
    kind: z.literal('isotropic-gaussians'),
    d: dimension(),
    delta: z.number().gt(0).lt(1),
  }),
  z.strictObject({
    kind: z.literal('dataset'),
    train: sampleSchema.optional(),
    test: sampleSchema.optional(),
    datasetId: z.string().uuid('must be the id of a stored dataset (a UUID)').optional(),
  }),
]);
export type Inputs = z.infer<typeof inputsSchema>;

// ---- targets y = f*(x) -----------------------------------------------------
const teacherParamsSchema = z.strictObject({ a: vector(), w: matrix(), b: vector().optional() });

export const targetSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('p-spin'),
    p: int(1, LIMITS.maxPSpinOrder),
    coefficients: vector().optional(), // J flattened row-major, length d^p
  }),
  z.strictObject({
    kind: z.literal('teacher'),
    unit: unitSchema,
    width: int(1, 100_000),
    bandwidth: positive().default(1),
    /** Required for (and only for) unit "ramp". */
    ramp: rampSchema.optional(),
    params: teacherParamsSchema.optional(),
  }),
  z.strictObject({
    kind: z.literal('rbf-mixture'),
    a: vector().min(1),
    z: matrix(),
    s: z.array(positive()).max(LIMITS.maxExplicitValues),
  }),
  z.strictObject({ kind: z.literal('labels') }),
]);
export type Target = z.infer<typeof targetSchema>;

// ---- the student network ---------------------------------------------------
export const initSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('random'),
    wScale: nonNegative().default(1),
    bScale: nonNegative().default(0),
    cScale: nonNegative().default(1),
  }),
  z.strictObject({ kind: z.literal('explicit'), c: vector(), w: matrix(), b: vector().optional() }),
  /** Mei-Montanari-Nguyen: every c_i = cValue (default 1); w and b drawn as for `random`. */
  z.strictObject({
    kind: z.literal('constant'),
    cValue: finite().default(1),
    wScale: nonNegative().default(1),
    bScale: nonNegative().default(0),
  }),
]);

/** Which parameter groups move in training (default all); frozen groups keep their initial values. */
export const trainGroupsSchema = z.strictObject({
  c: z.boolean().default(true),
  w: z.boolean().default(true),
  b: z.boolean().default(true),
});

export const studentSchema = z.strictObject({
  unit: unitSchema,
  width: int(1, LIMITS.maxWidth),
  parameterization: z.enum(['mean-field', 'ntk']).default('mean-field'),
  bandwidth: positive().default(1),
  /** Required for (and only for) unit "ramp". */
  ramp: rampSchema.optional(),
  init: initSchema.default({ kind: 'random', wScale: 1, bScale: 0, cScale: 1 }),
  /** Absent: every group trains (left out rather than defaulted, so existing specs keep their hash). */
  train: trainGroupsSchema.optional(),
});
export type Student = z.infer<typeof studentSchema>;

// ---- training --------------------------------------------------------------
export const DYNAMICS = ['gd', 'sgd', 'minibatch', 'sde'] as const;
export const trainingSchema = z.strictObject({
  dynamics: z.enum(DYNAMICS),
  dt: positive(),
  steps: int(1, LIMITS.maxSteps),
  trainSize: int(1, LIMITS.maxSampleSize).optional(),
  batchSize: int(1, LIMITS.maxSampleSize).optional(),
  /** minibatch: epochs reshuffled without replacement (default), or batches drawn with replacement (what `sde` is the limit of). */
  sampling: z.enum(['reshuffle', 'replacement']).optional(),
  weightDecay: nonNegative().default(0),
  temperature: nonNegative().default(0),
  /**
   * Neuron birth-death (Rotskoff et al. 2019, number-conserving): every `every` steps each particle is
   * removed or duplicated with probability min(1, rate * dt * |V_i - mean V|). Mean-field only.
   */
  birthDeath: z.strictObject({ rate: finite(), every: int(1, LIMITS.maxSteps).default(1) }).optional(),
});
export type Training = z.infer<typeof trainingSchema>;

/** trainSize when the spec leaves it out and the inputs are not a dataset. */
export const DEFAULT_TRAIN_SIZE = 1024;

// ---- recording -------------------------------------------------------------
export const recordSchema = z.strictObject({
  steps: z.array(int(0, LIMITS.maxSteps)).min(1).max(LIMITS.maxRecordedSteps).optional(),
  every: int(1, LIMITS.maxSteps).optional(),
  logPoints: int(2, LIMITS.maxRecordedSteps).optional(),
  testSize: int(1, LIMITS.maxSampleSize).default(1024),
  probes: int(0, LIMITS.maxProbes).default(16),
  snapshots: z.array(int(0, LIMITS.maxSteps)).max(LIMITS.maxSnapshots).default([]),
});
export type Record_ = z.infer<typeof recordSchema>;

export const resourcesSchema = z.strictObject({
  gpu: z.enum(['required', 'preferred', 'no']).default('preferred'),
});

// ---- the whole spec --------------------------------------------------------
const specObject = z.strictObject({
  name: z.string().max(200).optional(),
  tags: z.array(z.string().min(1).max(64)).max(32).default([]),
  seed: int(0, Number.MAX_SAFE_INTEGER).optional(),
  replicas: int(1, LIMITS.maxReplicas).default(1),
  inputs: inputsSchema,
  target: targetSchema,
  student: studentSchema,
  training: trainingSchema,
  record: recordSchema.default({ testSize: 1024, probes: 16, snapshots: [] }),
  resources: resourcesSchema.default({ gpu: 'preferred' }),
  /** Queue priority, -1000 to 1000: higher runs sooner; equal priorities run in order of submission. */
  priority: int(-1000, 1000).default(0),
});

/** The input dimension d of a spec (from `inputs.d` or the dataset's rows). */
export function inputDimension(inputs: Inputs): number | undefined {
  if (inputs.kind !== 'dataset') return inputs.d;
  return inputs.train?.x[0]?.length;
}

type Ctx = z.core.$RefinementCtx<z.infer<typeof specObject>>;
const issue = (ctx: Ctx, path: (string | number)[], message: string) =>
  ctx.addIssue({ code: 'custom', path, message });

function checkMatrix(ctx: Ctx, path: (string | number)[], m: number[][], rows: number | undefined, cols: number | undefined) {
  if (rows !== undefined && m.length !== rows) issue(ctx, path, `expected ${rows} rows, got ${m.length}`);
  if (cols === undefined) return;
  const bad = m.findIndex((row) => row.length !== cols);
  if (bad >= 0) issue(ctx, [...path, bad], `expected ${cols} columns, got ${m[bad].length}`);
}

/** A ramp is given exactly when the unit is "ramp", with t1 < t2 (a 400 naming the field otherwise). */
function checkRamp(ctx: Ctx, path: (string | number)[], unit: Unit, ramp: RampParams | undefined) {
  if (unit === 'ramp' && !ramp) issue(ctx, path, 'is required for the ramp unit: {s1, s2, t1, t2}');
  if (unit !== 'ramp' && ramp) issue(ctx, path, `applies to the ramp unit only, not ${unit}`);
  if (ramp && !(ramp.t1 < ramp.t2)) issue(ctx, [...path, 't2'], `must be greater than t1 (${ramp.t1})`);
}

function checkLength(ctx: Ctx, path: (string | number)[], v: number[] | undefined, n: number) {
  if (v !== undefined && v.length !== n) issue(ctx, path, `expected ${n} values, got ${v.length}`);
}

// Cross-field rules: each issue names the field that is wrong.
function checkSpec(spec: z.infer<typeof specObject>, ctx: Ctx) {
  const { inputs, target, student, training, record } = spec;
  const d = inputDimension(inputs);

  if (inputs.kind === 'dataset') {
    const hasInline = inputs.train !== undefined;
    if (hasInline === (inputs.datasetId !== undefined)) {
      issue(ctx, ['inputs', 'train'], 'give exactly one of inputs.train or inputs.datasetId');
    }
    if (inputs.datasetId !== undefined && inputs.test !== undefined) {
      issue(ctx, ['inputs', 'test'], 'a stored dataset brings its own test set; leave inputs.test out');
    }
    for (const part of ['train', 'test'] as const) {
      const s = inputs[part];
      if (!s) continue;
      if (s.x.length === 0) issue(ctx, ['inputs', part, 'x'], 'needs at least one point');
      checkMatrix(ctx, ['inputs', part, 'x'], s.x, undefined, d);
      checkLength(ctx, ['inputs', part, 'y'], s.y, s.x.length);
    }
    if (training.trainSize !== undefined && training.trainSize !== inputs.train?.x.length) {
      issue(ctx, ['training', 'trainSize'], 'is given by the dataset; leave it out');
    }
  }

  if (target.kind === 'labels' && inputs.kind !== 'dataset' && inputs.kind !== 'isotropic-gaussians') {
    issue(ctx, ['target', 'kind'], '"labels" needs inputs of kind "dataset" or "isotropic-gaussians"');
  }
  if (inputs.kind === 'isotropic-gaussians' && target.kind !== 'labels') {
    issue(ctx, ['target', 'kind'], 'isotropic-gaussians inputs carry their labels: use "labels"');
  }
  if (target.kind === 'p-spin' && d !== undefined) {
    const size = d ** target.p;
    if (target.coefficients !== undefined) checkLength(ctx, ['target', 'coefficients'], target.coefficients, size);
    if (size > LIMITS.maxExplicitValues) issue(ctx, ['target', 'p'], `d^p = ${size} coefficients is too many`);
  }
  if (target.kind === 'teacher') checkRamp(ctx, ['target', 'ramp'], target.unit, target.ramp);
  checkRamp(ctx, ['student', 'ramp'], student.unit, student.ramp);
  if (target.kind === 'teacher' && target.params) {
    const m = target.width;
    checkLength(ctx, ['target', 'params', 'a'], target.params.a, m);
    checkMatrix(ctx, ['target', 'params', 'w'], target.params.w, m, d);
    checkLength(ctx, ['target', 'params', 'b'], target.params.b, m);
  }
  if (target.kind === 'rbf-mixture') {
    const k = target.a.length;
    checkMatrix(ctx, ['target', 'z'], target.z, k, d);
    checkLength(ctx, ['target', 's'], target.s, k);
  }

  if (student.init.kind === 'explicit') {
    const n = student.width;
    checkLength(ctx, ['student', 'init', 'c'], student.init.c, n);
    checkMatrix(ctx, ['student', 'init', 'w'], student.init.w, n, d);
    checkLength(ctx, ['student', 'init', 'b'], student.init.b, n);
    if (student.unit === 'gaussian' && student.init.b !== undefined) {
      issue(ctx, ['student', 'init', 'b'], 'gaussian units have no bias');
    }
  }

  const { train } = student;
  if (train && !train.c && !train.w && (!train.b || student.unit === 'gaussian')) {
    issue(ctx, ['student', 'train'], 'freezes every parameter: at least one group must move');
  }
  if (training.birthDeath) {
    if (training.birthDeath.rate < 0) issue(ctx, ['training', 'birthDeath', 'rate'], 'must not be negative');
    if (student.parameterization === 'ntk') {
      issue(ctx, ['training', 'birthDeath'], 'applies to mean-field only (the measure picture does not hold under ntk)');
    }
  }

  const { dynamics, batchSize, steps } = training;
  if (dynamics !== 'gd' && batchSize === undefined) {
    issue(ctx, ['training', 'batchSize'], `is required for ${dynamics} dynamics`);
  }
  if (dynamics === 'gd' && batchSize !== undefined) {
    issue(ctx, ['training', 'batchSize'], 'gd uses the whole training set; leave batchSize out');
  }
  // sde accepts it (and ignores it) so that one sweep base can compare minibatch with its sde limit.
  if (training.sampling !== undefined && (dynamics === 'gd' || dynamics === 'sgd')) {
    issue(ctx, ['training', 'sampling'], `applies to minibatch dynamics (and is ignored by sde), not ${dynamics}`);
  }
  if (dynamics === 'minibatch' && batchSize !== undefined && training.sampling !== 'replacement') {
    const trainSize = inputs.kind === 'dataset' ? inputs.train?.x.length : (training.trainSize ?? DEFAULT_TRAIN_SIZE);
    if (trainSize !== undefined && batchSize > trainSize) {
      issue(ctx, ['training', 'batchSize'], `must not exceed the training set (${trainSize})`);
    }
  }

  const schedules = ['steps', 'every', 'logPoints'].filter((k) => record[k as 'steps'] !== undefined);
  if (schedules.length > 1) issue(ctx, ['record', schedules[1]], `give only one of record.${schedules.join(', record.')}`);
  record.steps?.forEach((s, i) => {
    if (s > steps) issue(ctx, ['record', 'steps', i], `step ${s} is past training.steps (${steps})`);
  });
  if (record.every !== undefined && record.every > steps) {
    issue(ctx, ['record', 'every'], `must not exceed training.steps (${steps})`);
  }
  record.snapshots.forEach((s, i) => {
    if (s > steps) issue(ctx, ['record', 'snapshots', i], `step ${s} is past training.steps (${steps})`);
  });
  if (inputs.kind === 'dataset' && record.testSize !== 1024 && inputs.test) {
    issue(ctx, ['record', 'testSize'], 'is given by inputs.test; leave it out');
  }
}

export const specSchema = specObject.superRefine(checkSpec);

/** A spec as a client writes it (defaults may be left out). */
export type SpecInput = z.input<typeof specSchema>;
/** A spec after validation, with every default filled in. */
export type Spec = z.output<typeof specSchema>;
