// The messages between a worker's main thread (queue, database) and its engine thread (numerics).
// Flow control: the engine thread waits for an ack after each chunk, so the main thread has
// written everything up to a checkpoint before the engine moves past it.
import type { Spec } from '@mfsim/contracts';
import type { Chunk } from '@mfsim/engine';

export type ToEngine =
  | { type: 'run'; spec: Spec; seed: number; resume?: Uint8Array }
  /** After each chunk. `checkpoint`: send the state with the next message; `stop`: stop now and send it. */
  | { type: 'ack'; checkpoint: boolean; stop: boolean };

export type FromEngine =
  | { type: 'ready'; kernel: string; device: string; reason: string }
  | { type: 'chunk'; chunk: Chunk; checkpoint?: { step: number; state: Uint8Array } }
  | { type: 'done'; stopped: boolean; checkpoint: { step: number; state: Uint8Array } }
  | { type: 'error'; message: string; stack?: string };
