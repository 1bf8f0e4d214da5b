// The route table of the infinite-width limits (science.md, "Limits"; computed by @mfsim/limits):
// a finished simulation's stored report, a sweep's reports per child, and a prediction for a spec
// that has not run. How to add a route: define.ts.
import { z } from 'zod';
import { specSchema } from '../spec.ts';
import { excessScalingSchema } from '../sweeps.ts';
import { defineRoute, errorReply, idParams } from './define.ts';
import { exampleExcess, SIM, SWEEP } from './examples.ts';

const tags = ['limits'];
const num = z.number().nullable();

/** The prediction for one spec and seed (packages/limits predictLimits). */
export const limitsPredictionSchema = z.looseObject({
  parameterization: z.enum(['mean-field', 'ntk']),
  unit: z.string(),
  width: z.number().int(),
  outputScale: z.number().describe('n alpha_n^2: Var f_0 = outputScale * K (1 under ntk, 1/n under mean-field)'),
  t0: z.looseObject({
    probeNngp: z.array(z.number()).describe('K(x_j, x_j) per probe: the limit of the CLT fluctuation at step 0'),
    probeCovariance: z.array(z.number()).describe('K between probes, [J, J] row-major'),
    expectedTestLoss: z.number(),
  }),
  ntk: z.looseObject({
    sample: z.enum(['training set', 'reference sample']),
    trainSize: z.number().int(),
    steps: z.array(z.number().int()),
    times: z.array(z.number()),
    trainLoss: z.array(num),
    testLoss: z.array(num),
    probeMean: z.array(z.array(num)),
    probeVariance: z.array(z.array(num)),
    stepTimesLargestRate: z.number(),
  }).nullable().describe('The infinite-width curve of `ntk` runs on the square loss without weight decay or temperature; null otherwise (see notes)'),
  notes: z.array(z.string()),
});

/** A stored report: the prediction, and the run measured against it. */
export const simulationLimitsSchema = z.looseObject({
  simulationId: z.string(),
  prediction: limitsPredictionSchema.nullable(),
  agreement: z.looseObject({
    nngp: z.looseObject({
      replicas: z.number().int(),
      probes: z.array(z.object({ predicted: z.number(), measured: num, z: num })),
      pooled: z.object({ predicted: z.number(), measured: num, standardError: z.number(), z: num }),
    }).nullable(),
    ntk: z.array(z.looseObject({ step: z.number().int(), predicted: num, measuredMean: num, standardError: num, z: num, relativeGap: num, within: z.boolean().nullable() })).nullable(),
    ntkAgrees: z.boolean().nullable(),
  }).nullable(),
  unavailable: z.object({ field: z.string(), message: z.string() }).optional().describe('Why this run has no limits (a unit or input law with no kernel)'),
});

/** The mean-field limit of one series' loss per recorded time: the reference run's L_ref(t), else (mean-field) L_inf(t) of the L_inf + a/n fit. */
export const sweepMeanFieldSchema = z.object({
  series: z.record(z.string(), z.unknown()),
  source: z.enum(['reference', 'finite-width']).nullable().describe('`reference`: the wide reference run; `finite-width`: L_inf of the L_inf + a/n fit (mean-field series without a reference); null: neither (reason)'),
  reference: z.object({ simulationId: z.string(), width: z.number().int(), replicas: z.number().int(), status: z.string() }).nullable(),
  reason: z.string().nullable(),
  points: z.array(z.object({
    step: z.number().int(), time: z.number(),
    loss: num.describe('L_ref(t) or L_inf(t)'), standardError: num, lower: num, upper: num,
    pValue: num.describe('finite-width: p of the L_inf + a/n fit'), reason: z.string().nullable(),
  })),
  /** Per recorded time, the scaling of the excess m_n(t) - L_ref(t) with n (with a reference only). */
  excess: z.array(z.object({ step: z.number().int(), time: z.number(), fit: excessScalingSchema })),
});

export const sweepLimitsSchema = z.object({
  sweepId: z.string(),
  children: z.array(z.object({ simulationId: z.string(), width: z.number().int(), role: z.enum(['grid', 'reference']).optional(), status: z.string(), limits: simulationLimitsSchema.nullable() })),
  /** Per series: the mean-field limit of the loss and the excess scaling (once the sweep's statistics are stored; empty before). */
  meanField: z.array(sweepMeanFieldSchema),
});

export const limitsRequestSchema = z.strictObject({
  spec: specSchema,
  seed: z.number().int().min(0).max(2 ** 32 - 1).optional().describe('The seed whose training set, test set and probes to use (default: spec.seed, else 0)'),
  referenceSize: z.number().int().min(1).max(1_000_000).optional().describe('sgd: the size of the reference sample of the input law (default 4096; at most the size that fits)'),
});

const examplePrediction = {
  parameterization: 'ntk', unit: 'erf', width: 4096, outputScale: 1,
  t0: { probeNngp: [0.31, 0.29], probeCovariance: [0.31, 0.05, 0.05, 0.29], expectedTestLoss: 0.42 },
  ntk: {
    sample: 'training set', trainSize: 256, steps: [0, 100], times: [0, 50], trainLoss: [0.41, 0.02], testLoss: [0.42, 0.09],
    probeMean: [[0, 0], [0.4, -0.2]], probeVariance: [[0.31, 0.29], [0.05, 0.04]], stepTimesLargestRate: 0.8,
  },
  notes: [],
};
const exampleReport = {
  simulationId: SIM, prediction: examplePrediction,
  agreement: {
    nngp: { replicas: 8, probes: [{ predicted: 0.31, measured: 0.33, z: 0.13 }, { predicted: 0.29, measured: 0.27, z: -0.14 }], pooled: { predicted: 0.3, measured: 0.3, standardError: 0.12, z: 0 } },
    ntk: [{ step: 0, predicted: 0.42, measuredMean: 0.43, standardError: 0.02, z: 0.5, relativeGap: 0.024, within: true }],
    ntkAgrees: true,
  },
};
const CSV_EXAMPLE = 'section,step,time,probe,predictedTrainLoss,predictedTestLoss,measuredMeanTestLoss,standardError,z,predictedVariance,measuredVariance\nntk,0,0,,0.41,0.42,0.43,0.02,0.5,,\nnngp,0,0,0,,,,,0.13,0.31,0.33\n';

/** The sweep CSV: the children's rows, then per series the mean-field limit and the excess scaling per recorded time. */
export const SWEEP_LIMITS_CSV_COLUMNS = `simulationId,width,${CSV_EXAMPLE.split('\n')[0]},series,source,lower,upper,alpha,alphaLower,alphaUpper,reducedChiSquare,pValue,powerLaw`;
const SWEEP_CSV_EXAMPLE = [
  SWEEP_LIMITS_CSV_COLUMNS,
  `${SIM},4096,ntk,0,0,,0.41,0.42,0.43,0.02,0.5,,${','.repeat(10)}`,
  `${SIM},512,mean-field,300,60,,,0.0012,,0.0001,,,,{},reference,0.001,0.0014,,,,,,`,
  `,,excess,300,60,,,,,,,,,{},reference,,,0.98,0.9,1.07,0.8,0.45,consistent`,
].join('\n') + '\n';

export const limitsRoutes = {
  simulation: defineRoute({
    method: 'GET', path: '/v1/simulations/{id}/limits', operationId: 'getSimulationLimits', tags, auth: 'read',
    summary: 'The infinite-width limits beside a finished run: NNGP at t = 0 against the measured fluctuation, the NTK curve (ntk, gd) against the mean test loss; JSON or CSV',
    description: 'Computed by the worker when the run ends. `?format=csv` or `Accept: text/csv` gives one row per recorded step of the NTK curve and one per probe of the t = 0 check.',
    params: idParams, query: z.strictObject({ format: z.enum(['json', 'csv']).optional() }),
    replies: {
      200: { description: 'The stored report', content: { 'application/json': { schema: simulationLimitsSchema, example: exampleReport }, 'text/csv': { schema: z.string(), example: CSV_EXAMPLE } } },
      404: errorReply(404), 409: errorReply(409),
    },
  }),
  sweep: defineRoute({
    method: 'GET', path: '/v1/sweeps/{id}/limits', operationId: 'getSweepLimits', tags, auth: 'read',
    summary: 'The limits of each child of a sweep (null for a child not finished yet), and per series the mean-field limit of the loss (the reference run, else L_inf) with the excess-loss scaling; JSON or CSV',
    description: 'CSV: the children\'s rows (`simulationId,width,section,...`), then `mean-field` rows (per series and recorded time: L_ref or L_inf in `predictedTestLoss`, its standard error and interval) and `excess` rows (per series and recorded time: alpha of m_n - L_ref against n, its interval, reduced chi-square and p).',
    params: idParams, query: z.strictObject({ format: z.enum(['json', 'csv']).optional() }),
    replies: {
      200: {
        description: 'Per child, in grid order',
        content: {
          'application/json': {
            schema: sweepLimitsSchema,
            example: {
              sweepId: SWEEP,
              children: [{ simulationId: SIM, width: 4096, role: 'grid', status: 'completed', limits: exampleReport }],
              meanField: [{
                series: {}, source: 'reference', reason: null,
                reference: { simulationId: SIM, width: 512, replicas: 4, status: 'completed' },
                points: [{ step: 300, time: 60, loss: 0.0012, standardError: 0.0001, lower: 0.001, upper: 0.0014, pValue: null, reason: null }],
                excess: [{ step: 300, time: 60, fit: exampleExcess }],
              }],
            },
          },
          'text/csv': { schema: z.string(), example: SWEEP_CSV_EXAMPLE },
        },
      },
      404: errorReply(404),
    },
  }),
  predict: defineRoute({
    method: 'POST', path: '/v1/limits', operationId: 'predictLimits', tags, auth: 'read',
    summary: 'The infinite-width predictions for a spec without running particles',
    description: 'Bounded: a training set (or sgd reference sample) larger than the eigendecomposition fits answers 400 naming the field and the size that fits; a unit or input law with no kernel answers 400 naming the field.',
    body: { schema: limitsRequestSchema, name: 'body', example: { spec: { inputs: { kind: 'sphere', d: 4 }, target: { kind: 'p-spin', p: 2 }, student: { unit: 'erf', width: 4096, parameterization: 'ntk' }, training: { dynamics: 'gd', dt: 0.5, steps: 100, trainSize: 256 }, record: { logPoints: 20 } } } },
    replies: { 200: { description: 'The prediction', schema: limitsPredictionSchema, example: examplePrediction } },
  }),
};
