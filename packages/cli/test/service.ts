// The real service over real HTTP for the client's tests: the API (apps/api's test harness) on a
// free port, and an in-process worker on the kernel the local runs use too.
import type { AddressInfo } from 'node:net';
import { KERNEL_PREFERENCES, selectKernel } from '@mfsim/engine';
import { smallSpec, startService, startTestWorker } from '../../../apps/api/test/harness.ts';

export { smallSpec };

/** The kernel both the service's worker and local runs use: what auto picks here, by name. */
export async function sharedKernel(): Promise<string> {
  const { kernel } = await selectKernel(process.env.MFSIM_KERNEL ?? 'auto');
  return (KERNEL_PREFERENCES as readonly string[]).includes(kernel.name) ? kernel.name : (process.env.MFSIM_KERNEL ?? 'auto');
}

/** The API over HTTP and a worker; with `adminKey`, API keys are on with that bootstrap admin key. */
export async function startHttpService(options: { adminKey?: string } = {}) {
  const kernel = await sharedKernel();
  const service = await startService({ memoryBudgetBytes: 1024 ** 3, adminKey: options.adminKey });
  await service.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = service.app.server.address() as AddressInfo;
  const worker = await startTestWorker({ MFSIM_KERNEL: kernel });
  return {
    kernel,
    url: `http://127.0.0.1:${port}`,
    async close() {
      await worker.close();
      await service.close();
    },
  };
}
