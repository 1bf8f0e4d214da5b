// The engine thread: picks a kernel once, then runs simulations on request, one chunk at a time.
// The numerics run here so the worker's main thread keeps renewing its BullMQ job locks.
// Runs are taken one after another (a run asked for while one is ending waits for it), and an ack
// counts only for the run it names.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeCheckpoint, encodeCheckpoint, selectKernel, simulate, type CheckpointIdentity, type SimulationRun } from '@mfsim/engine';
import { machineShare } from './machine-share.ts';
import type { FromEngine, ToEngine } from './messages.ts';

type Ack = Extract<ToEngine, { type: 'ack' }>;
const port = parentPort!;
const send = (m: FromEngine, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

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
  const done = (stopped: boolean) => {
    // The state is taken before the loop's iterator is closed.
    const final = stateOf(run, identity);
    send({ type: 'done', runId, stopped, checkpoint: final }, [final.state.buffer as ArrayBuffer]);
  };
  let wantCheckpoint = false;
  for await (const chunk of run) {
    const checkpoint = wantCheckpoint ? stateOf(run, identity) : undefined;
    send({ type: 'chunk', runId, chunk, ...(checkpoint && { checkpoint }) }, checkpoint ? [checkpoint.state.buffer as ArrayBuffer] : []);
    const ack = await nextAck(runId);
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
