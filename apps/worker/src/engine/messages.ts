// The messages between a worker's main thread (queue, database) and its engine thread (numerics).
// Flow control: the engine thread waits for an ack after each chunk, so the main thread has
// written everything up to a checkpoint before the engine moves past it.
// Every message about a run carries its `runId` (the simulation id and a fresh token per run):
// a message of an earlier run that ended on one side (e.g. a failed write) and not yet on the
// other is recognised and dropped, never taken as the next run's.
import type { Spec } from '@mfsim/contracts';
import type { Chunk, CheckpointIdentity } from '@mfsim/engine';

export interface EngineCheckpoint {
  step: number;
  state: Uint8Array;
}

export type ToEngine =
  | { type: 'run'; runId: string; spec: Spec; seed: number; identity: CheckpointIdentity; resume?: Uint8Array }
  /** After each chunk. `checkpoint`: send the state with the next message; `stop`: stop now and send it. */
  | { type: 'ack'; runId: string; checkpoint: boolean; stop: boolean };

export type FromEngine =
  | { type: 'ready'; kernel: string; device: string; reason: string }
  | { type: 'chunk'; runId: string; chunk: Chunk; checkpoint?: EngineCheckpoint }
  | { type: 'done'; runId: string; stopped: boolean; checkpoint: EngineCheckpoint }
  | { type: 'error'; runId?: string; message: string; stack?: string };
