// The dynamics loop: spec + seed (+ checkpoint) -> chunks of records. Shared by every kernel.
import type { Spec } from '@mfsim/contracts';
import type { Batch, Kernel, Particles } from './kernel.ts';
import { birthDeathPass, type BirthDeathCounts } from './birth-death.ts';
import { batchSource } from './dynamics.ts';
import { initialParticles } from './init.ts';
import { setupProblem, type Problem } from './problem.ts';
import { RandomStream, STREAMS } from './rng.ts';
import { selectKernel } from './select.ts';
import { pointsPerCall } from './targets.ts';
import type { Checkpoint, Chunk, SimulateOptions, SimulationRun, TrajectoryPoint } from './types.ts';

/** Default chunk: about this much wall time, and at most DEFAULT_CHUNK_MAX_STEPS steps. */
export const DEFAULT_CHUNK_MS = 1000;
export const DEFAULT_CHUNK_MAX_STEPS = 2000;

const finiteOrNull = (v: number): number | null => (Number.isFinite(v) ? v : null);

/** Network outputs of all replicas on shared points x [count, d] -> [R, count], in blocks. */
function outputs(kernel: Kernel, problem: Problem, p: Particles, x: Float32Array, count: number): Float32Array {
  const { R, n, d } = problem;
  const block = pointsPerCall(R, n);
  if (count <= block) return kernel.forward(problem.net, p, x, count, false);
  const out = new Float32Array(R * count);
  for (let s = 0; s < count; s += block) {
    const e = Math.min(count, s + block);
    const f = kernel.forward(problem.net, p, x.subarray(s * d, e * d), e - s, false);
    for (let r = 0; r < R; r++) out.set(f.subarray(r * (e - s), (r + 1) * (e - s)), r * count + s);
  }
  return out;
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** 1/(2P) sum_mu (f_mu - y_mu)^2 per replica, float64. f: [R, P]; y: [P] or [R, P]. */
function losses(f: Float32Array, y: Float32Array, R: number, P: number, perReplica: boolean): Float64Array {
  const out = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let s = 0;
    const yo = perReplica ? r * P : 0;
    for (let mu = 0; mu < P; mu++) {
      const e = f[r * P + mu] - y[yo + mu];
      s += e * e;
    }
    // The kernels sum in float32: a sum beyond its range is the overflow a step would report.
    out[r] = s > FLOAT32_MAX ? Infinity : s / (2 * P);
  }
  return out;
}

/** The fraction of test points where sign(f) differs from the label y in {-1, +1} (f = 0 counts as an error). */
function errors(f: Float32Array, y: Float32Array, R: number, P: number): Float64Array {
  const out = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let wrong = 0;
    for (let mu = 0; mu < P; mu++) if (!(f[r * P + mu] * y[mu] > 0)) wrong++;
    out[r] = wrong / P;
  }
  return out;
}

function copyParticles(p: Particles): Particles {
  return { ...p, c: p.c.slice(), w: p.w.slice(), b: p.b.slice() };
}

/**
 * Runs a spec with a seed. Conventions (see also problem.ts, dynamics.ts, rng.ts):
 * - At a recorded step k: trainLoss = L_{S_k}(theta_k), the loss of the particles after k updates
 *   on the sample S_k that step k uses (gd: the training set; sgd, minibatch: step k's batch;
 *   sde: the reference sample, unweighted); for k = K the sample step K would use. It is always
 *   computed with kernel.forward, so it does not depend on where chunks end.
 * - testLoss on the fixed test set, testError (labels in {-1, +1}), probe outputs, snapshots.
 * - Divergence: the first non-finite loss (a recorded loss, or the batch loss of any step; a sum of
 *   squares beyond the float32 range counts as non-finite, as the kernels compute it) ends the run; the last chunk carries `diverged` and a point at that step (non-finite values as null;
 *   when found by a step that is not recorded, testLoss and testError are null).
 */
export async function simulate(spec: Spec, seed: number, options: SimulateOptions = {}): Promise<SimulationRun> {
  const kernel = options.kernel ?? (await selectKernel()).kernel;
  const problem = setupProblem(spec, seed, kernel);
  const { R, n, d, K } = problem;
  const batchFor = batchSource(problem, kernel);
  const recorded = new Set(problem.recorded);

  let particles: Particles;
  let start = 0;
  if (options.resume) {
    const cp = options.resume;
    if (cp.version !== 1) throw new Error(`unknown checkpoint version ${cp.version}`);
    if (cp.c.length !== R * n || cp.w.length !== R * n * d || cp.b.length !== R * n) {
      throw new Error(`the checkpoint does not fit this spec (R=${R}, n=${n}, d=${d})`);
    }
    if (!(cp.step >= 0 && cp.step <= K)) throw new Error(`checkpoint step ${cp.step} is outside 0..${K}`);
    particles = { R, n, d, c: cp.c.slice(), w: cp.w.slice(), b: cp.b.slice() };
    start = cp.step;
  } else {
    particles = initialParticles(spec, R, d, seed);
  }
  let step = start;
  const size = { lr: problem.lr, decay: problem.decay };
  // Birth-death (rate 0 or absent: never called, so the run is plain dynamics bit for bit); its counts
  // since the last recorded step travel in the checkpoint.
  const bd = spec.training.birthDeath && spec.training.birthDeath.rate > 0 ? spec.training.birthDeath : null;
  const fresh = (): BirthDeathCounts => ({ births: new Array<number>(R).fill(0), deaths: new Array<number>(R).fill(0) });
  let counts = fresh();
  const saved = options.resume?.extra.birthDeath as BirthDeathCounts | undefined;
  if (bd && saved && saved.births?.length === R && saved.deaths?.length === R) counts = { births: [...saved.births], deaths: [...saved.deaths] };
  // Frozen groups (student.train) are restored after each step: kernel-agnostic, no kernel change.
  const train = spec.student.train ?? { c: true, w: true, b: true };
  const frozen = { c: !train.c, w: !train.w, b: !train.b };

  /** Records step s into the chunk; returns the first replica whose losses are not finite, or -1. */
  function record(s: number, chunk: Chunk): number {
    let bad = -1;
    if (problem.snapshots.has(s)) chunk.snapshots.push({ step: s, ...copyParticles(particles) });
    if (!recorded.has(s)) return bad;
    if (bd && s > 0) {
      (chunk.birthDeath ??= []).push({ step: s, ...counts });
      counts = fresh();
    }
    const batch: Batch = batchFor(s);
    const fTrain = batch.perReplica
      ? kernel.forward(problem.net, particles, batch.x, batch.P, true)
      : outputs(kernel, problem, particles, batch.x, batch.P);
    const train = losses(fTrain, batch.y, R, batch.P, batch.perReplica);
    const { test } = problem;
    const fTest = outputs(kernel, problem, particles, test.x, test.count);
    const testLoss = losses(fTest, test.y, R, test.count, false);
    const testError = problem.classification ? errors(fTest, test.y, R, test.count) : null;
    if (problem.probeCount > 0) {
      chunk.probes.push({ step: s, values: outputs(kernel, problem, particles, problem.probes, problem.probeCount) });
    }
    const time = s * spec.training.dt;
    for (let r = 0; r < R; r++) {
      if (bad < 0 && !(Number.isFinite(train[r]) && Number.isFinite(testLoss[r]))) bad = r;
      chunk.points.push({
        replica: r,
        step: s,
        time,
        trainLoss: finiteOrNull(train[r]),
        testLoss: finiteOrNull(testLoss[r]),
        testError: testError ? finiteOrNull(testError[r]) : null,
      });
    }
    return bad;
  }

  /** Step k -> k + 1 on all replicas; returns the first replica whose batch loss was not finite, or -1. */
  function advance(k: number, chunk: Chunk): number {
    if (bd && k % bd.every === 0) birthDeathPass(kernel, problem.net, particles, batchFor(k), k, seed, bd.rate * spec.training.dt, counts);
    const before = {
      c: frozen.c ? particles.c.slice() : null,
      w: frozen.w ? particles.w.slice() : null,
      b: frozen.b ? particles.b.slice() : null,
    };
    const loss = kernel.step(problem.net, particles, batchFor(k), size);
    if (before.c) particles.c.set(before.c);
    if (before.w) particles.w.set(before.w);
    if (before.b) particles.b.set(before.b);
    const bad = loss.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      // The kernel's float32 loss can overflow where the recorded float64 loss of step k did not:
      // the step decides, and the points of step k (when in this chunk) say so.
      const atK = chunk.points.filter((p) => p.step === k);
      for (const p of atK) if (!Number.isFinite(loss[p.replica])) p.trainLoss = null;
      if (atK.length === 0 && !recorded.has(k)) {
        for (let r = 0; r < R; r++) {
          const point: TrajectoryPoint = { replica: r, step: k, time: k * spec.training.dt, trainLoss: finiteOrNull(loss[r]), testLoss: null, testError: null };
          chunk.points.push(point);
        }
      }
      return bad;
    }
    if (problem.noise > 0) langevin(k);
    return -1;
  }

  /** theta += sqrt(2 dt T) xi, xi ~ N(0, I) from stream `langevin` (replica r, step k; lanes c, w, b). */
  function langevin(k: number): void {
    const s = problem.noise;
    const { c, w, b } = particles;
    for (let r = 0; r < R; r++) {
      if (!frozen.c) {
        const rc = new RandomStream(seed, STREAMS.langevin, r, k, 0);
        for (let i = r * n; i < (r + 1) * n; i++) c[i] += s * rc.normal();
      }
      if (!frozen.w) {
        const rw = new RandomStream(seed, STREAMS.langevin, r, k, 1);
        for (let i = r * n * d; i < (r + 1) * n * d; i++) w[i] += s * rw.normal();
      }
      if (spec.student.unit !== 'gaussian' && !frozen.b) {
        const rb = new RandomStream(seed, STREAMS.langevin, r, k, 2);
        for (let i = r * n; i < (r + 1) * n; i++) b[i] += s * rb.normal();
      }
    }
  }

  let finished = start >= K;
  const chunkSteps = options.chunkSteps;
  if (chunkSteps !== undefined && !(Number.isInteger(chunkSteps) && chunkSteps >= 1)) {
    throw new RangeError(`chunkSteps must be a positive integer, got ${chunkSteps}`);
  }

  async function* chunks(): AsyncGenerator<Chunk> {
    let first = true;
    while (!finished) {
      if (options.signal?.aborted) return;
      const chunk: Chunk = { fromStep: step, toStep: step, totalSteps: K, points: [], probes: [], snapshots: [] };
      let bad = -1;
      let badStep = step;
      if (first && step === 0) bad = record(0, chunk);
      first = false;
      const t0 = performance.now();
      while (bad < 0 && step < K) {
        badStep = step;
        bad = advance(step, chunk);
        if (bad >= 0) break;
        step++;
        badStep = step;
        bad = record(step, chunk);
        if (bad >= 0) break;
        const done = step - chunk.fromStep;
        if (chunkSteps !== undefined ? done >= chunkSteps : done >= DEFAULT_CHUNK_MAX_STEPS || performance.now() - t0 >= DEFAULT_CHUNK_MS) break;
      }
      chunk.toStep = step;
      if (bad >= 0) {
        chunk.diverged = { step: badStep, replica: bad };
        chunk.toStep = Math.max(step, badStep);
        finished = true;
      } else if (step >= K) {
        finished = true;
      }
      yield chunk;
    }
  }

  return {
    kernel,
    totalSteps: K,
    state(): Checkpoint {
      const extra: Record<string, unknown> = { kernel: kernel.name };
      if (bd) extra.birthDeath = { births: [...counts.births], deaths: [...counts.deaths] };
      return { version: 1, step, c: particles.c.slice(), w: particles.w.slice(), b: particles.b.slice(), extra };
    },
    [Symbol.asyncIterator]: chunks,
  };
}
