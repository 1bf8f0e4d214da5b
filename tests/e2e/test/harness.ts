// The whole service for the end-to-end tests: the system-test harness (@mfsim/testing) on the API's
// app, and where the dashboard's package lies (its page is built there before a browser opens it).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { buildApp } from '@mfsim/api/app';
import { openApiDeps } from '@mfsim/api/services';
import { serviceHarness } from '@mfsim/testing';

export * from '@mfsim/testing';
export { buildApp };
export const { startService, useService, startHttpService } = serviceHarness({ buildApp, openApiDeps });

/** apps/dashboard, found through the package (its entry is src/plugin.ts). */
export const dashboardDir = path.resolve(path.dirname(createRequire(import.meta.url).resolve('@mfsim/dashboard')), '..');

/** Builds the dashboard's page when its sources changed (npm test builds it too; this covers a bare `vitest`). */
export function buildDashboard() {
  const build = spawnSync('node', ['scripts/build-if-stale.mjs'], { cwd: dashboardDir, stdio: 'inherit' });
  expect(build.status).toBe(0);
}

/** Signs `page` in with `key` on the dashboard at `base`, and waits for the list. */
export async function signIn(page: Page, base: string, key: string) {
  await page.goto(`${base}/dashboard/#/signin`);
  await page.fill('#api-key', key);
  await page.click('button[type=submit]');
  await page.waitForSelector('h1:has-text("Simulations")');
}
