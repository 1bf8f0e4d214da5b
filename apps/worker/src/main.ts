// Starts one worker process: `tsx apps/worker/src/main.ts` (npm start starts one per core).
import { workerConfig } from './config.ts';
import { startWorker } from './simulation-worker.ts';

const worker = await startWorker(workerConfig());

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    await worker.close();
    process.exit(0);
  });
}
