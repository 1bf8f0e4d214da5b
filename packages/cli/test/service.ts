// The real service over real HTTP for the command line's tests (@mfsim/testing on the API), with its
// worker on the kernel the local runs use too, so a local run and a service run can be compared
// number for number.
import { KERNEL_PREFERENCES, selectKernel } from '@mfsim/engine';
import { buildApp } from '@mfsim/api/app';
import { openApiDeps } from '@mfsim/api/services';
import { serviceHarness, smallSpec } from '@mfsim/testing';

const { startHttpService: startTestingService } = serviceHarness({ buildApp, openApiDeps });

export { smallSpec };

/** The kernel both the service's worker and local runs use: what auto picks here, by name. */
export async function sharedKernel(): Promise<string> {
  const { kernel } = await selectKernel(process.env.MFSIM_KERNEL ?? 'auto');
  return (KERNEL_PREFERENCES as readonly string[]).includes(kernel.name) ? kernel.name : (process.env.MFSIM_KERNEL ?? 'auto');
}

/** The API over HTTP and a worker; with `adminKey`, API keys are on with that bootstrap admin key. */
export async function startHttpService(options: { adminKey?: string } = {}) {
  const kernel = await sharedKernel();
  const service = await startTestingService({ memoryBudgetBytes: 1024 ** 3, adminKey: options.adminKey, workerEnv: { MFSIM_KERNEL: kernel } });
  return { kernel, url: service.url, close: service.close };
}
