// The engine's public shapes: what `simulate` yields and what a checkpoint holds.
import type { Spec, TrajectoryPointReply } from '@mfsim/contracts';
import type { Kernel } from './kernel.ts';

/**
 * Losses of one replica at one recorded step (time = step * dt; testError for labels in {-1, +1});
 * null where not finite or not defined. The contract's shape: stored and served as is.
 */
export type TrajectoryPoint = TrajectoryPointReply;

/** Outputs on the probe inputs at one recorded step: float32 [R, probes]. */
export interface ProbeRecord {
  step: number;
  values: Float32Array;
}

/** All particles of all replicas at one step: c [R, n], w [R, n, d], b [R, n]. */
export interface SnapshotRecord {
  step: number;
  c: Float32Array;
  w: Float32Array;
  b: Float32Array;
}

/** What one chunk of steps produced. Chunks cover (fromStep, toStep]; the first also covers step 0. */
export interface Chunk {
  fromStep: number;
  toStep: number;
  totalSteps: number;
  points: TrajectoryPoint[];
  probes: ProbeRecord[];
  snapshots: SnapshotRecord[];
  /**
   * With training.birthDeath: at each recorded step s (> 0), per replica, the births and deaths
   * since the previous recorded step (see birth-death.ts). Absent otherwise.
   */
  birthDeath?: BirthDeathRecord[];
  /** Set on the last chunk of a run whose loss became non-finite: the run stops there. */
  diverged?: { step: number; replica: number };
}

/** Births and deaths per replica in the steps (previous recorded step, step]. */
export interface BirthDeathRecord {
  step: number;
  births: number[];
  deaths: number[];
}

/** A resumable state: continuing from it gives, bit for bit, what an uninterrupted run gives. */
export interface Checkpoint {
  version: 1;
  step: number;
  c: Float32Array;
  w: Float32Array;
  b: Float32Array;
  /** Any further state the dynamics needs (minibatch epoch order, ...), JSON-serialisable. */
  extra: Record<string, unknown>;
}

export interface SimulateOptions {
  /** The kernel to use; default: the best available (see selectKernel). */
  kernel?: Kernel;
  /** Steps per chunk; a chunk also ends at each recorded step that needs it. Default: about 1 second of work. */
  chunkSteps?: number;
  /** Continue from this checkpoint instead of the initial particles. */
  resume?: Checkpoint;
  /** Stop between chunks when aborted. */
  signal?: AbortSignal;
}

export interface SimulationRun extends AsyncIterable<Chunk> {
  readonly kernel: Kernel;
  readonly totalSteps: number;
  /** The state after the last chunk yielded. */
  state(): Checkpoint;
}

export type Simulate = (spec: Spec, seed: number, options?: SimulateOptions) => Promise<SimulationRun>;
