// The messages between a worker's main thread (queue, database) and its engine thread (numerics).
// Flow control: the engine thread waits for an ack after each chunk, so the main thread has
// written everything up to a checkpoint before the engine moves past it.
// Every message about a run carries its `runId` (the simulation id and a fresh token per run):
// a message of an earlier run that ended on one side (e.g. a failed write) and not yet on the
// other is recognised and dropped, never taken as the next run's.
import type { Spec } from '@mfsim/contracts';
import type { Chunk, CheckpointIdentity } from '@mfsim/engine';
import type { LimitsPrediction } from './limits-prediction.ts';

export interface EngineCheckpoint {
  step: number;
  state: Uint8Array;
}

export type ToEngine =
  /**
   * `predictLimitsFor`: the spec whose infinite-width prediction the run's end needs (the stored one;
   * the same object as `spec` unless a dataset was inlined): made once per run, after its last chunk
   * is sent, and returned with `done` when the run was not stopped.
   */
  | { type: 'run'; runId: string; spec: Spec; seed: number; identity: CheckpointIdentity; resume?: Uint8Array; predictLimitsFor?: Spec }
  /**
   * After each chunk. `checkpoint`: send the state with the next message; `stop`: stop now and send it.
   * `at`: when it was sent (performance.timeOrigin + performance.now(), the same clock on both threads).
   */
  | { type: 'ack'; runId: string; checkpoint: boolean; stop: boolean; at: number };

export type FromEngine =
  | { type: 'ready'; kernel: string; device: string; reason: string }
  | { type: 'chunk'; runId: string; chunk: Chunk; checkpoint?: EngineCheckpoint }
  /** `limits`, `limitsDelayMs`: the prediction, and how long making it held the run up (the main thread's ack waited for it). */
  | { type: 'done'; runId: string; stopped: boolean; checkpoint: EngineCheckpoint; limits?: LimitsPrediction; limitsDelayMs?: number }
  | { type: 'error'; runId?: string; message: string; stack?: string };
