// Examples shown in the OpenAPI document next to each route's replies and bodies; the OpenAPI test
// parses each with the contract schema it illustrates, so they cannot drift from the wire format.
import { specSchema } from '../spec.ts';

export const SIM = '6f1c2b7e-1d2a-4c3b-9a8e-0123456789ab';
export const SWEEP = '0b7d9c1e-5a4f-4e21-8b3c-fedcba987654';
const SCHEDULE = '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99';
export const AT = '2026-01-15T10:00:00.000Z';

export const exampleSpec = {
  name: '3-spin, d=10, n=256',
  seed: 42,
  replicas: 8,
  inputs: { kind: 'sphere', d: 10 },
  target: { kind: 'p-spin', p: 3 },
  student: { unit: 'tanh', width: 256, parameterization: 'mean-field' },
  training: { dynamics: 'sgd', batchSize: 1024, dt: 0.5, steps: 3000, weightDecay: 0, temperature: 0 },
  record: { logPoints: 60, testSize: 4096, probes: 64, snapshots: [0, 3000] },
};

export const exampleSimulation = {
  id: SIM, name: '3-spin, d=10, n=256', tags: [], note: null, status: 'cancelled', progress: 0.42, stepsDone: 1260, seed: 42,
  spec: specSchema.parse({
    name: '3-spin, d=10, n=256', seed: 42, replicas: 8, inputs: { kind: 'sphere', d: 10 }, target: { kind: 'p-spin', p: 3 },
    student: { unit: 'tanh', width: 256 }, training: { dynamics: 'sgd', batchSize: 1024, dt: 0.5, steps: 3000 }, record: { logPoints: 60, testSize: 4096, probes: 64 },
  }),
  backend: 'native', device: 'cpu', error: null, divergedAtStep: null,
  sweepId: null, createdAt: AT, startedAt: AT, firstStartedAt: AT, finishedAt: AT, runSeconds: 12.5, trajectoryDigest: null,
  width: 256, dynamics: 'sgd', dt: 0.5, steps: 3000, finalTestLoss: 0.0213, finalTrainLoss: 0.0198, bestTestLoss: 0.0209,
};
export const exampleQueuedSimulation = {
  ...exampleSimulation, status: 'queued', progress: 0, stepsDone: 0, startedAt: null, firstStartedAt: null, finishedAt: null, runSeconds: null, backend: null, device: null,
  finalTestLoss: null, finalTrainLoss: null, bestTestLoss: null,
};

export const exampleKey = {
  id: '1d5e0c7a-2b3c-4d5e-8f90-123456789abc', name: 'lab scripts', prefix: 'mfsim_Ab3dE', role: 'submit', project: 'default',
  rateLimitPerMinute: null, createdAt: AT, revokedAt: null, lastUsedAt: null,
};
export const exampleDataset = { id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d', name: 'xor in 2d', d: 2, trainSize: 4, testSize: null, createdAt: AT };

/** Server-Sent Event frames as the stream carries them. */
export const sseExample = (events: { id?: string; type: string; data: unknown }[]) =>
  events.map((ev) => `${ev.id ? `id: ${ev.id}\n` : ''}event: ${ev.type}\ndata: ${JSON.stringify(ev.data)}\n`).join('\n');

export const exampleSweepRequest = {
  name: 'teacher, widths 8-32',
  base: {
    seed: 1, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
    student: { unit: 'tanh', width: 8 }, training: { dynamics: 'sgd', batchSize: 64, dt: 0.2, steps: 300 },
    record: { every: 50, testSize: 256, probes: 8 },
  },
  grid: { 'student.width': [8, 16, 32] },
  replicas: 4,
  reference: { width: 512, replicas: 4 },
};
export const exampleSweepSummary = {
  id: SWEEP, name: exampleSweepRequest.name, status: 'running', progress: 0.5, base: exampleSweepRequest.base, grid: exampleSweepRequest.grid,
  replicas: 4, seed: 1, reference: { width: 512, replicas: 4 }, partial: false, counts: { completed: 1, running: 1, queued: 1 }, scheduleId: null, createdAt: AT, finishedAt: null,
};
export const exampleSweep = {
  ...exampleSweepSummary,
  children: [
    { simulationId: SIM, point: { 'student.width': 8 }, role: 'grid', width: 8, status: 'completed', progress: 1, error: null },
    { simulationId: SIM, point: { 'student.width': 512, role: 'reference' }, role: 'reference', width: 512, status: 'running', progress: 0.4, error: null },
  ],
  missing: [],
};
export const exampleStatisticsRow = {
  step: 300, time: 60, meanLoss: 0.021, lossVariance: 0.00004, standardError: 0.003, count: 4, dropped: 0, unstable: 0, fluctuation: 0.00032,
  meanOutputVariance: 0.0021, excessKurtosis: -0.1, excessKurtosisError: 0.4, fourPoint: -0.02, probes: 8,
};
/** m_n - L_ref against n at one time (a sweep with `reference`). */
export const exampleExcess = {
  alpha: 0.98, logIntercept: -1.6, standardError: 0.05, interval: { lower: 0.9, upper: 1.07, level: 0.95, resamples: 1000 }, joint: true,
  goodness: { chiSquare: 0.8, degreesOfFreedom: 1, reducedChiSquare: 0.8, pValue: 0.37, passes: true }, powerLaw: 'consistent',
  covariance: 'paired', covarianceReason: null,
  verdict: 'consistent with a power law: alpha = 0.980 ± 0.098 (reduced chi-square 0.800, p = 0.37)',
  localSlopes: [{ fromWidth: 8, toWidth: 16, alpha: 1.0, standardError: 0.1 }, { fromWidth: 16, toWidth: 32, alpha: 0.96, standardError: 0.12 }],
  points: [{ width: 8, meanLoss: 0.0198, standardError: 0.003, count: 4 }, { width: 16, meanLoss: 0.0098, standardError: 0.0015, count: 4 }, { width: 32, meanLoss: 0.0042, standardError: 0.0008, count: 4 }],
  excludedWidths: [], nonPositiveWidths: [], reference: { width: 512, meanLoss: 0.0012, standardError: 0.0001, count: 4 }, reason: null, intervalReason: null,
};
export const exampleScaling = {
  step: 300, time: 60, alpha: 0.97, logIntercept: -1.8, interval: { lower: 0.88, upper: 1.06, level: 0.95, resamples: 1000 },
  points: [{ width: 8, meanLoss: 0.021, count: 4 }, { width: 16, meanLoss: 0.011, count: 4 }, { width: 32, meanLoss: 0.0054, count: 4 }],
  excludedWidths: [], missingWidths: [], partial: false, reason: null, intervalReason: null, saturating: null,
  excess: exampleExcess,
};
export const exampleSchedule = {
  id: SCHEDULE, name: null, pattern: '0 3 * * *', timeZone: 'Europe/Paris', paused: false, sweep: exampleSweepRequest, nextFireAt: AT, sweeps: 2, createdAt: AT, deletedAt: null,
};
