// The whole service for the end-to-end tests: the system-test harness (@mfsim/testing) on the API's
// app, and where the dashboard's package lies (its page is built there before a browser opens it).
import { createRequire } from 'node:module';
import path from 'node:path';
import { buildApp } from '@mfsim/api/app';
import { openApiDeps } from '@mfsim/api/services';
import { serviceHarness } from '@mfsim/testing';

export * from '@mfsim/testing';
export { buildApp };
export const { startService, useService, startHttpService } = serviceHarness({ buildApp, openApiDeps });

/** apps/dashboard, found through the package (its entry is src/plugin.ts). */
export const dashboardDir = path.resolve(path.dirname(createRequire(import.meta.url).resolve('@mfsim/dashboard')), '..');
