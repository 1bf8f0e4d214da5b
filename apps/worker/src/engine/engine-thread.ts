// The engine thread: picks a kernel once, then runs simulations on request, one chunk at a time.
// The numerics run here so the worker's main thread keeps renewing its BullMQ job locks.
import { parentPort, workerData } from 'node:worker_threads';
import { decodeCheckpoint, encodeCheckpoint, selectKernel, simulate, type SimulationRun } from '@mfsim/engine';
import type { FromEngine, ToEngine } from './messages.ts';

const port = parentPort!;
const send = (m: FromEngine) => port.postMessage(m);

const { kernel, reason } = await selectKernel(workerData?.kernelPreference);
send({ type: 'ready', kernel: kernel.name, device: kernel.device, reason });

let pendingAck: ((ack: Extract<ToEngine, { type: 'ack' }>) => void) | undefined;
const nextAck = () => new Promise<Extract<ToEngine, { type: 'ack' }>>((resolve) => (pendingAck = resolve));

const stateOf = (run: SimulationRun) => {
  const cp = run.state();
  return { step: cp.step, state: encodeCheckpoint(cp) };
};

async function runSimulation(m: Extract<ToEngine, { type: 'run' }>) {
  const run = await simulate(m.spec, m.seed, { kernel, resume: m.resume ? decodeCheckpoint(m.resume) : undefined });
  let wantCheckpoint = false;
  for await (const chunk of run) {
    send({ type: 'chunk', chunk, ...(wantCheckpoint && { checkpoint: stateOf(run) }) });
    const ack = await nextAck();
    if (ack.stop) return send({ type: 'done', stopped: true, checkpoint: stateOf(run) });
    wantCheckpoint = ack.checkpoint;
  }
  send({ type: 'done', stopped: false, checkpoint: stateOf(run) });
}

port.on('message', (m: ToEngine) => {
  if (m.type === 'ack') return pendingAck?.(m);
  runSimulation(m).catch((err: Error) => send({ type: 'error', message: err.message, stack: err.stack }));
});
