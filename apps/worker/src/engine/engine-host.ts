// The main thread's side of the engine thread: start it, run one simulation at a time on it.
import { Worker } from 'node:worker_threads';
import type { Spec } from '@mfsim/contracts';
import type { Chunk } from '@mfsim/engine';
import type { FromEngine, ToEngine } from './messages.ts';

export interface KernelInfo {
  kernel: string;
  device: string;
  reason: string;
}

export interface RunHandlers {
  /** Called for each chunk in order; the engine waits until it resolves. Return whether to stop. */
  onChunk(chunk: Chunk, checkpoint?: { step: number; state: Uint8Array }): Promise<void>;
  /** Asked before each ack: whether the next chunk should carry a checkpoint. */
  checkpointDue(): boolean;
  /** Asked before each ack: whether to stop (cancel, shutdown) after this chunk. */
  stopRequested(): boolean;
}

export interface RunResult {
  stopped: boolean;
  checkpoint: { step: number; state: Uint8Array };
}

export class EngineThreadError extends Error {
  constructor(message: string, readonly engineStack?: string) {
    super(message);
    this.name = 'EngineThreadError';
  }
}

export class EngineHost {
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

  /** Runs one simulation to its end (or until stopped) on the engine thread. */
  run(spec: Spec, seed: number, resume: Uint8Array | undefined, handlers: RunHandlers): Promise<RunResult> {
    const { worker } = this;
    return new Promise<RunResult>((resolve, reject) => {
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const fail = (err: Error) => {
        cleanup();
        reject(err);
      };
      const onError = (err: Error) => fail(new EngineThreadError(`engine thread crashed: ${err.message}`, err.stack));
      const onExit = (code: number) => fail(new EngineThreadError(`engine thread exited with code ${code}`));
      const onMessage = (m: FromEngine) => {
        if (m.type === 'chunk') {
          handlers.onChunk(m.chunk, m.checkpoint).then(
            () => worker.postMessage({ type: 'ack', checkpoint: handlers.checkpointDue(), stop: handlers.stopRequested() } satisfies ToEngine),
            // The main thread could not store the chunk: stop the engine and report.
            (err: Error) => {
              worker.postMessage({ type: 'ack', checkpoint: false, stop: true } satisfies ToEngine);
              fail(err);
            },
          );
        } else if (m.type === 'done') {
          cleanup();
          resolve({ stopped: m.stopped, checkpoint: m.checkpoint });
        } else if (m.type === 'error') {
          fail(new EngineThreadError(m.message, m.stack));
        }
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage({ type: 'run', spec, seed, resume } satisfies ToEngine);
    });
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
