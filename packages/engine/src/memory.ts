// The working set of one worker running a spec, so the API can refuse what cannot fit.
import { DEFAULT_TRAIN_SIZE, inputDimension, type Spec } from '@mfsim/contracts';
import { availableParallelism } from 'node:os';

/** Default budget for one simulation's working set: 4 GiB. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 4 * 2 ** 30;

/** The budget: env MFSIM_MEMORY_BUDGET_BYTES when set to a positive number, else the default. */
export function memoryBudgetBytes(env: Record<string, string | undefined> = process.env): number {
  const v = Number(env.MFSIM_MEMORY_BUDGET_BYTES);
  return Number.isFinite(v) && v > 0 ? v : DEFAULT_MEMORY_BUDGET_BYTES;
}

export interface MemoryEstimate {
  bytes: number;
  parts: Record<string, number>;
}

export interface MemoryOptions {
  /** Kernel threads of the worker (each keeps its own workspace); default: env MFSIM_KERNEL_THREADS, else the cores. */
  threads?: number;
}

const F32 = 4;
const MiB = 2 ** 20;
/** A worker's engine host at rest (Node, the engine thread, the addon): about 220 MiB measured. */
const RUNTIME_BYTES = 256 * MiB;
/** Copies of the particles alive at once: the state, the state taken for a checkpoint, its encoding,
 * the previous checkpoint held until saved, garbage not yet collected; on resume: the bytes on both
 * threads, their decoding, its slices and the state made from them. */
const PARTICLE_COPIES = 6;
// The native kernel's blocking (native/src/mfkernel.cc): units padded to 3 vectors of 16 floats, d to 8,
// 64 samples per block, at most 8 items per replica set, partial gradient sums within 1 GiB.
const UNIT_PAD = 48;
const D_PAD = 8;
const BLOCK = 64;
const MAX_PAR = 8;
const PARTIAL_BYTES = 2 ** 30;

/** simulate.ts's DEFAULT_CHUNK_MAX_STEPS, not imported: the API loads this file without the engine (a test checks they agree). */
export const CHUNK_MAX_STEPS = 2000;

const roundUp = (a: number, m: number) => Math.ceil(Math.max(a, 1) / m) * m;

function defaultThreads(env: Record<string, string | undefined> = process.env): number {
  const fixed = Number(env.MFSIM_KERNEL_THREADS);
  return Number.isInteger(fixed) && fixed > 0 ? fixed : availableParallelism();
}

/**
 * Largest number of snapshots one chunk can carry: a chunk spans at most CHUNK_MAX_STEPS
 * steps, and each snapshot in it is a copy of the particles until the chunk is stored.
 */
function snapshotsPerChunk(steps: number[]): number {
  const s = [...steps].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < s.length; i++) {
    while (s[i] - s[j] > CHUNK_MAX_STEPS) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

/**
 * Estimated peak resident bytes of a worker running a spec on the CPU (native) kernel, the largest
 * host footprint (the CUDA kernel keeps its workspace on the device). Checked against measured
 * peak RSS by `npm run bench:memory`. Parts:
 * - runtime: the process at rest;
 * - particles: PARTICLE_COPIES copies of [R, n, d + 2] float32 (state, checkpoints in flight, resume);
 * - workspace: per kernel thread (threads persist and any of them may take a replica), the
 *   transposed weights [dpad, npad] float32, the gradient sums [dpad + 2, npad] float64 and two
 *   [64, npad] float32 activation blocks; plus the partial sums when a replica's batch is split;
 * - data: training set, test set, probes, a batch; target: p-spin couplings (float64 J and its
 *   symmetrised copy) or a teacher; snapshots: those one chunk can carry, on both threads and the
 *   copy being stored; records: probe outputs.
 */
export function estimateMemory(spec: Spec, options: MemoryOptions = {}): MemoryEstimate {
  const d = inputDimension(spec.inputs) ?? 1;
  const R = spec.replicas;
  const n = spec.student.width;
  const { dynamics } = spec.training;
  const inputs = spec.inputs;
  const trainSize = inputs.kind === 'dataset' ? (inputs.train?.x.length ?? 0) : dynamics === 'sgd' ? 0 : (spec.training.trainSize ?? DEFAULT_TRAIN_SIZE);
  // A dataset without inputs.test is tested on its training set (no second copy).
  const testSize = inputs.kind === 'dataset' ? (inputs.test?.x.length ?? 0) : spec.record.testSize;
  const B = dynamics === 'gd' || dynamics === 'sde' ? trainSize : (spec.training.batchSize ?? 0);
  const perStep = dynamics === 'sgd' || dynamics === 'minibatch' ? R * B : B;
  const particleBytes = R * n * (d + 2) * F32;
  const threads = Math.max(1, Math.floor(options.threads ?? defaultThreads()));
  const npad = roundUp(n, UNIT_PAD);
  const dpad = roundUp(d, D_PAD);
  const gradBytes = 8 * npad * (dpad + 2);
  const perThread = npad * dpad * F32 + gradBytes + 2 * BLOCK * npad * F32 + 3 * npad * F32;
  // Items of one step: replicas times the pieces a replica's batch is split into.
  const blocks = Math.ceil(Math.max(B, 1) / BLOCK);
  const pieces = Math.max(1, Math.min(Math.ceil(MAX_PAR / R), blocks, Math.max(1, Math.floor(PARTIAL_BYTES / (gradBytes * R)))));
  const items = R * pieces;
  const parts: Record<string, number> = {
    runtime: RUNTIME_BYTES,
    particles: PARTICLE_COPIES * particleBytes,
    workspace: threads * perThread + (pieces > 1 ? items * gradBytes : 0),
    data: (trainSize + testSize + spec.record.probes + perStep) * (d + 1) * F32 + (dynamics === 'sde' ? R * B * F32 : 0),
    target: spec.target.kind === 'p-spin' ? 2 * d ** spec.target.p * 8 : spec.target.kind === 'teacher' ? spec.target.width * (d + 2) * F32 : 0,
    snapshots: 3 * snapshotsPerChunk(spec.record.snapshots) * particleBytes,
    records: R * spec.record.probes * F32 * 64,
  };
  const bytes = Object.values(parts).reduce((a, b) => a + b, 0);
  return { bytes, parts };
}
