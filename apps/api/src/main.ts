// Starts the API: `tsx apps/api/src/main.ts` (npm start does this for you).
import { buildApp } from './app.ts';
import { apiConfig } from './config.ts';
import { startRecovery } from './recovery.ts';
import { openApiDeps } from './services.ts';

const config = apiConfig();
const deps = openApiDeps(config);
const app = await buildApp({ deps, logger: { level: process.env.LOG_LEVEL ?? 'info' } });
await app.listen({ port: config.port, host: config.host });
// Simulations whose queued jobs a Redis restart lost are queued again (recovery.ts).
const stopRecovery = startRecovery(deps, config.recoverySeconds, (msg, extra) => app.log.warn(extra ?? {}, msg));

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (closing) return;
    closing = true;
    stopRecovery();
    await app.close();
    await deps.close();
    process.exit(0);
  });
}
