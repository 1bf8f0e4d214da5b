// The sample S_k each Euler step uses (science.md, `training.dynamics`).
import type { Batch, Kernel } from './kernel.ts';
import { drawInputs } from './inputs.ts';
import type { Problem } from './problem.ts';
import { RandomStream, STREAMS } from './rng.ts';
import { label } from './targets.ts';

export type BatchSource = (k: number) => Batch;

/**
 * Returns k -> the batch of step k. Every batch is a pure function of (seed, k), so a step's batch
 * is the same whether the run was resumed, chunked, or asked twice (the last one is cached).
 * - gd: the training set.
 * - sgd: per replica, B fresh points from the input law (stream `batch`, replica r, step k).
 * - minibatch: floor(P/B) batches per epoch (the P mod B leftover points of an epoch's order are
 *   skipped); epoch e = floor(k / that), its order a Fisher-Yates permutation from stream
 *   `shuffle` (replica r, step e), batch j = k mod that takes positions [jB, (j+1)B).
 *   With `training.sampling: replacement`, each batch is B indices drawn uniformly with
 *   replacement from stream `replacement` (replica r, step k), independently of every other batch:
 *   the discrete process whose diffusion limit `sde` is.
 * - sde: the reference sample with weights 1/P + (zeta_mu - mean zeta) / sqrt(B P),
 *   zeta ~ N(0, 1) from stream `sde` (replica r, step k).
 */
export function batchSource(problem: Problem, kernel?: Pick<Kernel, 'sampleInputs'>): BatchSource {
  const { spec, seed, R, d, train, batchSize: B } = problem;
  const dynamics = spec.training.dynamics;
  let cachedStep = -1;
  let cached: Batch | null = null;

  if (dynamics === 'gd') {
    const batch: Batch = { P: train!.count, perReplica: false, x: train!.x, y: train!.y };
    return () => batch;
  }

  const make = (k: number): Batch => {
    switch (dynamics) {
      case 'sgd': {
        // The kernel's sampler when it has one (the same numbers, drawn natively).
        const drawn = kernel?.sampleInputs?.(spec.inputs, seed, STREAMS.batch, k, R, B);
        // Labels are per point, so all replicas' points go to the target in one call.
        if (drawn) return { P: B, perReplica: true, x: drawn.x, y: label({ count: R * B, ...drawn }, problem.target) };
        const x = new Float32Array(R * B * d);
        const y = new Float32Array(R * B);
        for (let r = 0; r < R; r++) {
          const points = drawInputs(spec.inputs, new RandomStream(seed, STREAMS.batch, r, k), B);
          x.set(points.x, r * B * d);
          y.set(label(points, problem.target), r * B);
        }
        return { P: B, perReplica: true, x, y };
      }
      case 'minibatch': {
        const P = train!.count;
        if (spec.training.sampling === 'replacement') {
          const x = new Float32Array(R * B * d);
          const y = new Float32Array(R * B);
          for (let r = 0; r < R; r++) {
            const stream = new RandomStream(seed, STREAMS.replacement, r, k);
            for (let i = 0; i < B; i++) {
              const mu = stream.below(P);
              x.set(train!.x.subarray(mu * d, (mu + 1) * d), (r * B + i) * d);
              y[r * B + i] = train!.y[mu];
            }
          }
          return { P: B, perReplica: true, x, y };
        }
        const perEpoch = Math.max(1, Math.floor(P / B));
        const epoch = Math.floor(k / perEpoch);
        const j = k % perEpoch;
        const x = new Float32Array(R * B * d);
        const y = new Float32Array(R * B);
        for (let r = 0; r < R; r++) {
          const order = epochOrder(r, epoch, P);
          for (let i = 0; i < B; i++) {
            const mu = order[j * B + i];
            x.set(train!.x.subarray(mu * d, (mu + 1) * d), (r * B + i) * d);
            y[r * B + i] = train!.y[mu];
          }
        }
        return { P: B, perReplica: true, x, y };
      }
      case 'sde': {
        const P = train!.count;
        const weights = new Float32Array(R * P);
        const zeta = new Float64Array(P);
        for (let r = 0; r < R; r++) {
          new RandomStream(seed, STREAMS.sde, r, k).fillNormal(zeta);
          let mean = 0;
          for (let mu = 0; mu < P; mu++) mean += zeta[mu];
          mean /= P;
          const s = 1 / Math.sqrt(B * P);
          for (let mu = 0; mu < P; mu++) weights[r * P + mu] = 1 / P + (zeta[mu] - mean) * s;
        }
        return { P, perReplica: false, x: train!.x, y: train!.y, weights };
      }
    }
    throw new Error(`unknown dynamics ${dynamics}`);
  };

  // The permutation of replica r in epoch e, cached per replica (epochs advance in order).
  const orders = new Map<number, { epoch: number; order: Int32Array }>();
  function epochOrder(r: number, epoch: number, P: number): Int32Array {
    const hit = orders.get(r);
    if (hit && hit.epoch === epoch) return hit.order;
    const order = new Int32Array(P);
    for (let i = 0; i < P; i++) order[i] = i;
    const stream = new RandomStream(seed, STREAMS.shuffle, r, epoch);
    for (let i = P - 1; i > 0; i--) {
      const j = stream.below(i + 1);
      const t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    orders.set(r, { epoch, order });
    return order;
  }

  return (k) => {
    if (k !== cachedStep) {
      cached = make(k);
      cachedStep = k;
    }
    return cached!;
  };
}
