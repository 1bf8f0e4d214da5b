// Starts one worker process: `tsx apps/worker/src/main.ts` (npm start starts one per core).
import { workerConfig } from './config.ts';
import { startWorker } from './simulation-worker.ts';

// The handlers go in before the worker starts: it may take a job before startWorker returns, and a
// SIGTERM then must still checkpoint and hand that job back, not kill the process with it.
const started = startWorker(workerConfig());
let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    const worker = await started.catch(() => null);
    await worker?.close();
    process.exit(0);
  });
}
await started;
