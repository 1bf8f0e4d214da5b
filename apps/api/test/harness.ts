// The system-test harness (@mfsim/testing) on this package's own app: the API's tests take it from
// here (the harness does not depend on the API, so the API can depend on it for its tests).
import { serviceHarness } from '@mfsim/testing';
import { buildApp } from '../src/app.ts';
import { openApiDeps } from '../src/services.ts';

export * from '@mfsim/testing';
export { buildApp };
export const { startService, useService, startHttpService } = serviceHarness({ buildApp, openApiDeps });
