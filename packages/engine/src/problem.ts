// Everything a run fixes before its first step: network family, data, test set, probes, schedule.
import { DEFAULT_TRAIN_SIZE, inputDimension, type Spec } from '@mfsim/contracts';
import type { Kernel, Network } from './kernel.ts';
import { drawInputs, toPoints } from './inputs.ts';
import { scaling } from './parameterization.ts';
import { RandomStream, STREAMS } from './rng.ts';
import { recordedSteps } from './schedule.ts';
import { label, makeTarget, type TargetFunction } from './targets.ts';

/** x [count, d], y [count]. */
export interface Sample {
  count: number;
  x: Float32Array;
  y: Float32Array;
}

export interface Problem {
  spec: Spec;
  seed: number;
  R: number;
  n: number;
  d: number;
  /** training.steps */
  K: number;
  net: Network;
  /** dt * eta_n and dt * lambda */
  lr: number;
  decay: number;
  /** sqrt(2 dt T): the Langevin noise scale; 0 without temperature. */
  noise: number;
  target: TargetFunction | null;
  /** The fixed training set (gd, minibatch) or reference sample (sde); null for sgd. */
  train: Sample | null;
  test: Sample;
  /** Probe inputs [probes, d]. */
  probes: Float32Array;
  probeCount: number;
  /** Labels in {-1, +1}: the test error is recorded. */
  classification: boolean;
  /** Batch size B (sgd, minibatch, sde). */
  batchSize: number;
  recorded: number[];
  snapshots: Set<number>;
}

function drawSample(spec: Spec, target: TargetFunction | null, stream: RandomStream, count: number): Sample {
  const points = drawInputs(spec.inputs, stream, count);
  return { count, x: points.x, y: label(points, target) };
}

const isLabel = (v: number) => v === 1 || v === -1;

/**
 * Sets up a run. Shared by all replicas, each from its own stream at replica 0, step 0:
 * - training set: `trainSize` points (default 1024) from stream `train`; dataset: inputs.train.
 * - test set: `record.testSize` points from stream `test`; dataset: inputs.test when given,
 *   otherwise the training set itself (so the test loss is then the full training loss).
 * - probes: `record.probes` points from stream `probes` (dataset: drawn with replacement from
 *   inputs.train, the empirical input law).
 */
export function setupProblem(spec: Spec, seed: number, kernel: Kernel): Problem {
  const d = inputDimension(spec.inputs);
  if (d === undefined) throw new Error('the input dimension is unknown (dataset without inline train points)');
  const R = spec.replicas;
  const n = spec.student.width;
  const { dynamics, dt, weightDecay, temperature } = spec.training;
  const { alpha, eta } = scaling(spec.student.parameterization, n);
  const target = makeTarget(spec, d, seed, kernel);
  const inputs = spec.inputs;

  let train: Sample | null = null;
  let test: Sample;
  if (inputs.kind === 'dataset') {
    if (!inputs.train) throw new Error('dataset inputs need inputs.train inline');
    const t = toPoints(inputs.train);
    train = { count: t.count, x: t.x, y: label(t, target) };
    if (inputs.test) {
      const s = toPoints(inputs.test);
      test = { count: s.count, x: s.x, y: label(s, target) };
    } else {
      test = train;
    }
  } else {
    if (dynamics !== 'sgd') {
      train = drawSample(spec, target, new RandomStream(seed, STREAMS.train, 0, 0), spec.training.trainSize ?? DEFAULT_TRAIN_SIZE);
    }
    test = drawSample(spec, target, new RandomStream(seed, STREAMS.test, 0, 0), spec.record.testSize);
  }
  const probeCount = spec.record.probes;
  const probes = drawInputs(inputs, new RandomStream(seed, STREAMS.probes, 0, 0), probeCount).x;

  const classification = inputs.kind === 'isotropic-gaussians'
    || (spec.target.kind === 'labels' && test.y.every(isLabel) && (train?.y.every(isLabel) ?? true));

  return {
    spec,
    seed,
    R,
    n,
    d,
    K: spec.training.steps,
    net: { unit: spec.student.unit, bandwidth: spec.student.bandwidth, scale: alpha, ramp: spec.student.ramp },
    lr: dt * eta,
    decay: dt * weightDecay,
    noise: Math.sqrt(2 * dt * temperature),
    target,
    train,
    test,
    probes,
    probeCount,
    classification,
    batchSize: spec.training.batchSize ?? train?.count ?? 0,
    recorded: recordedSteps(spec),
    snapshots: new Set(spec.record.snapshots),
  };
}
