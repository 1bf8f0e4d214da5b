// The engine thread: picks a kernel once, then runs simulations on request, one chunk at a time.
// The numerics run here so the worker's main thread keeps renewing its BullMQ job locks.
// Runs are taken one after another (a run asked for while one is ending waits for it), and an ack
// counts only for the run it names.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeCheckpoint, encodeCheckpoint, selectKernel, simulate, type CheckpointIdentity, type SimulationRun } from '@mfsim/engine';
import { machineShare } from './machine-share.ts';
import { predictRunLimits, type LimitsPrediction } from './limits-prediction.ts';
import type { FromEngine, ToEngine } from './messages.ts';

type Ack = Extract<ToEngine, { type: 'ack' }>;
const port = parentPort!;
const send = (m: FromEngine, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);
/** Milliseconds since the epoch, sub-millisecond, on the same clock as the main thread's (messages.ts). */
const clock = () => performance.timeOrigin + performance.now();

const { kernel, reason } = await selectKernel(workerData?.kernelPreference);
send({ type: 'ready', kernel: kernel.name, device: kernel.device, reason });

// Kernel threads follow the jobs running on this machine (machine-share.ts), unless
// MFSIM_KERNEL_THREADS fixes them; set at each chunk boundary (results do not depend on them).
const fixedThreads = Number(process.env.MFSIM_KERNEL_THREADS) > 0;
const share = kernel.setThreads && !fixedThreads ? machineShare() : null;
const shareThreads = () => share && kernel.setThreads!(share.threads());

let current: { runId: string; ack?: (a: Ack) => void } | undefined;
const nextAck = (runId: string) => new Promise<Ack>((resolve) => (current = { runId, ack: resolve }));

const stateOf = (run: SimulationRun, identity: CheckpointIdentity) => {
  const cp = run.state();
  return { step: cp.step, state: encodeCheckpoint(cp, identity) };
};

async function runSimulation(m: Extract<ToEngine, { type: 'run' }>) {
  const { runId, identity } = m;
  current = { runId };
  const leave = share?.enter();
  try {
    shareThreads();
    await runChunks(m, runId, identity);
  } finally {
    leave?.();
  }
}

async function runChunks(m: Extract<ToEngine, { type: 'run' }>, runId: string, identity: CheckpointIdentity) {
  // A checkpoint of another simulation or spec is refused here too (decodeCheckpoint checks the identity).
  const run = await simulate(m.spec, m.seed, { kernel, resume: m.resume ? decodeCheckpoint(m.resume, identity) : undefined });
  // The limits prediction is made while the main thread stores the run's last chunk (it waits for the
  // ack then anyway), so only for a run that ends here; the time it held the run up past that ack is
  // reported with `done` (the run's time leaves it out, as it left out the prediction on the main thread).
  let limits: LimitsPrediction | undefined;
  let predicted: { start: number; end: number } | undefined;
  let limitsDelayMs = 0;
  const predict = () => {
    if (!m.predictLimitsFor || limits) return;
    const start = clock();
    limits = predictRunLimits(m.predictLimitsFor, m.seed);
    predicted = { start, end: clock() };
  };
  const done = (stopped: boolean) => {
    // The state is taken before the loop's iterator is closed.
    const final = stateOf(run, identity);
    if (!stopped && !limits) {
      predict(); // a run whose last chunk was not seen as such: made now, all of it a delay
      if (predicted) limitsDelayMs = predicted.end - predicted.start;
    }
    send(
      { type: 'done', runId, stopped, checkpoint: final, ...(!stopped && limits && { limits, limitsDelayMs }) },
      [final.state.buffer as ArrayBuffer],
    );
  };
  let wantCheckpoint = false;
  for await (const chunk of run) {
    const checkpoint = wantCheckpoint ? stateOf(run, identity) : undefined;
    send({ type: 'chunk', runId, chunk, ...(checkpoint && { checkpoint }) }, checkpoint ? [checkpoint.state.buffer as ArrayBuffer] : []);
    const last = chunk.toStep >= chunk.totalSteps || chunk.diverged !== undefined;
    if (last) predict();
    const ack = await nextAck(runId);
    if (last && predicted) limitsDelayMs = Math.max(0, predicted.end - Math.max(predicted.start, ack.at));
    if (ack.stop) return done(true);
    wantCheckpoint = ack.checkpoint;
    shareThreads();
  }
  done(false);
}

let queue = Promise.resolve();
port.on('message', (m: ToEngine) => {
  if (m.type === 'ack') {
    // An ack of a run that is over (or not this one) is stale: dropped.
    if (current?.runId === m.runId) current.ack?.(m);
    return;
  }
  queue = queue.then(() =>
    runSimulation(m)
      .catch((err: Error) => send({ type: 'error', runId: m.runId, message: err.message, stack: err.stack }))
      .finally(() => (current = undefined)),
  );
});
