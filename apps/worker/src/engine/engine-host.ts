// The main thread's side of the engine thread: start it, run one simulation at a time on it.
// Each run gets a fresh runId; messages of any other run are dropped, and a run starts only after
// the engine thread has ended the previous one (see messages.ts).
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Spec } from '@mfsim/contracts';
import { verifyCheckpoint, type CheckpointIdentity, type Chunk } from '@mfsim/engine';
import type { EngineCheckpoint, FromEngine, ToEngine } from './messages.ts';
import type { LimitsPrediction } from './limits-prediction.ts';

export interface KernelInfo {
  kernel: string;
  device: string;
  reason: string;
}

export interface RunHandlers {
  /** Called for each chunk in order; the engine waits until it resolves. Return whether to stop. */
  onChunk(chunk: Chunk, checkpoint?: EngineCheckpoint): Promise<void>;
  /** Asked before each ack: whether the next chunk should carry a checkpoint. */
  checkpointDue(): boolean;
  /** Asked before each ack: whether to stop (cancel, shutdown) after this chunk. */
  stopRequested(): boolean;
}

export interface RunResult {
  stopped: boolean;
  checkpoint: EngineCheckpoint;
  /** The limits prediction for `predictLimitsFor`, made on the engine thread (a run that was not stopped). */
  limits?: LimitsPrediction;
  /** Seconds by which making that prediction held the run's end up (none while the last chunk was stored). */
  limitsDelaySeconds?: number;
}

export class EngineThreadError extends Error {
  constructor(message: string, readonly engineStack?: string) {
    super(message);
    this.name = 'EngineThreadError';
  }
}

export class EngineHost {
  /** Settles when the engine thread has ended the last run (its `done` or `error` came back). */
  private previous: Promise<void> = Promise.resolve();

  private constructor(
    private readonly worker: Worker,
    readonly info: KernelInfo,
  ) {}

  static async start(options: { kernelPreference?: string } = {}): Promise<EngineHost> {
    const worker = new Worker(new URL('./engine-thread.mjs', import.meta.url), {
      workerData: { kernelPreference: options.kernelPreference },
    });
    const info = await new Promise<KernelInfo>((resolve, reject) => {
      worker.once('message', (m: FromEngine) =>
        m.type === 'ready' ? resolve(m) : reject(new EngineThreadError(m.type === 'error' ? m.message : 'unexpected message')),
      );
      worker.once('error', reject);
    });
    return new EngineHost(worker, info);
  }

  /**
   * Runs one simulation to its end (or until stopped) on the engine thread. `identity` is written
   * into every checkpoint and checked on each one that comes back (and on `resume`, by the engine).
   * With `predictLimitsFor`, the engine thread also makes that spec's limits prediction (the run's own
   * seed) while the last chunk is being stored, and returns it with the result.
   */
  async run(
    spec: Spec, seed: number, identity: CheckpointIdentity, resume: Uint8Array | undefined, handlers: RunHandlers,
    options: { predictLimitsFor?: Spec } = {},
  ): Promise<RunResult> {
    // A run that failed here may still be ending on the engine thread: wait for its last message.
    await this.previous;
    const { worker } = this;
    const runId = `${identity.simulationId}:${randomUUID()}`;
    let ended!: () => void;
    this.previous = new Promise<void>((r) => (ended = r));
    return new Promise<RunResult>((resolve, reject) => {
      let settled = false;
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        ended();
      };
      // Failing the caller early (a write failed) keeps listening until the engine thread says it is done.
      const fail = (err: Error) => {
        if (!settled) reject(err);
        settled = true;
      };
      const crashed = (err: Error) => {
        fail(err);
        cleanup();
      };
      const onError = (err: Error) => crashed(new EngineThreadError(`engine thread crashed: ${err.message}`, err.stack));
      const onExit = (code: number) => crashed(new EngineThreadError(`engine thread exited with code ${code}`));
      const ack = (checkpoint: boolean, stop: boolean) =>
        worker.postMessage({ type: 'ack', runId, checkpoint, stop, at: performance.timeOrigin + performance.now() } satisfies ToEngine);
      const onMessage = (m: FromEngine) => {
        if (m.type === 'ready' || m.runId !== runId) return; // another run's: stale
        if (m.type === 'chunk') {
          if (settled) return ack(false, true);
          const checked = async () => {
            if (m.checkpoint) verifyCheckpoint(m.checkpoint.state, identity, m.chunk.toStep);
            await handlers.onChunk(m.chunk, m.checkpoint);
          };
          checked().then(
            () => ack(handlers.checkpointDue(), handlers.stopRequested()),
            // The main thread could not store the chunk: stop the engine and report.
            (err: Error) => {
              ack(false, true);
              fail(err);
            },
          );
        } else if (m.type === 'done') {
          cleanup();
          try {
            verifyCheckpoint(m.checkpoint.state, identity, m.checkpoint.step);
          } catch (err) {
            fail(err as Error);
          }
          if (!settled) resolve({ stopped: m.stopped, checkpoint: m.checkpoint, ...(m.limits && { limits: m.limits, limitsDelaySeconds: (m.limitsDelayMs ?? 0) / 1000 }) });
          settled = true;
        } else if (m.type === 'error') {
          cleanup();
          fail(new EngineThreadError(m.message, m.stack));
        }
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      // (A `predictLimitsFor` that is `spec` itself crosses once: the structured clone keeps shared references.)
      worker.postMessage({ type: 'run', runId, spec, seed, identity, resume, predictLimitsFor: options.predictLimitsFor } satisfies ToEngine);
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
