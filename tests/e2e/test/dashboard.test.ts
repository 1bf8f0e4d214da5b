// End to end in a real browser against the real service (API + in-process worker on the test
// Postgres and Redis): sign in, submit a sweep through the form, watch it finish, read the scaling
// chart and its exponent, open a simulation; a screenshot of each page goes to test-output/.
// Prints the time from navigation to a drawn scaling chart for a sweep of 8 widths x 32 replicas.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, listenLocally, startService, startTestWorker, waitFor } from './harness.ts';
import { launchBrowser } from './browser.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.resolve(here, '../../../test-output/dashboard');

let service: Awaited<ReturnType<typeof startService>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let base = '';
let page: Page;

const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

async function apiJson<T>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await service.app.inject({ method: method as 'GET', url, payload: body as object });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return (res.body ? res.json() : undefined) as T;
}

const sweepDone = (id: string, timeoutMs = 60_000) =>
  waitFor(async () => {
    const s = await apiJson<{ status: string }>('GET', `/v1/sweeps/${id}`);
    return ['completed', 'cancelled'].includes(s.status) ? s : undefined;
  }, timeoutMs, `sweep ${id}`);

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  buildDashboard();
  service = await startService();
  worker = await startTestWorker();
  base = await listenLocally(service.app);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
});

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await service?.close();
});

describe('the dashboard in Chromium', () => {
  it('signs in, submits a sweep through the form, shows it finish with its scaling exponent', async () => {
    await page.goto(`${base}/`); // the service's root lands on the dashboard
    expect(new URL(page.url()).pathname).toBe('/dashboard/');
    await page.waitForSelector('#api-key');
    await shot('1-sign-in');
    await page.click('button[type=submit]'); // auth is off in tests: no key needed
    await page.waitForSelector('h1:has-text("Simulations")');

    await page.click('a[data-nav="new"]');
    await page.click('button[data-kind="sweep"]');
    const fill = async (name: string, value: string) => page.fill(`[name="${name}"]`, value);
    await fill('name', 'e2e widths');
    await fill('replicas', '3');
    await fill('inputs.d', '4');
    await fill('training.steps', '0');
    await page.click('button[type=submit]');
    // Validation in the page, at the field: steps must be at least 1.
    await expect.poll(() => page.textContent('[data-for="training.steps"]')).toMatch(/>=\s*1|too small/i);
    await fill('sweep.widths', '8, 16, 32');
    await fill('training.steps', '200');
    await fill('record.logPoints', '12');
    await fill('record.testSize', '256');
    await fill('record.probes', '8');
    await fill('record.snapshots', '0, 200');
    await shot('2-new-sweep-form');
    await page.click('button[type=submit]');
    await page.waitForURL(/#\/sweeps\/[0-9a-f-]{36}$/);
    const sweepId = page.url().split('/').pop()!;

    // Live: the page follows the sweep to the end and draws its statistics.
    await page.waitForSelector('[data-chart="scaling"][data-drawn="true"]', { timeout: 60_000 });
    const exponent = await page.textContent('[data-testid="exponent"]');
    expect(exponent).toMatch(/^α = -?[\d.]+/);
    expect(await page.locator('tbody [data-status="completed"]').count()).toBe(3);
    await page.waitForSelector('[data-chart="width-curves"][data-drawn="true"]');
    await page.waitForSelector('[data-chart="fluctuation"][data-drawn="true"]');
    await page.waitForSelector('[data-chart="extrapolation"][data-drawn="true"]');
    expect(await page.textContent('[data-testid="extrapolation-note"]')).toMatch(/^Mean output on \d+ probes? against 1\/n/);
    await shot('3-sweep');
    console.log(`e2e sweep ${sweepId}: ${exponent}`);

    // One of its simulations: losses on log-log axes, particles at the last snapshot.
    await page.click('tbody tr:last-child a:has-text("open")');
    await page.waitForSelector('[data-chart="test-loss"][data-drawn="true"]', { timeout: 30_000 });
    await page.waitForSelector('[data-chart="particles-norm"][data-drawn="true"]', { timeout: 30_000 });
    await page.waitForSelector('[data-chart="particles-direction"][data-drawn="true"]');
    expect(await page.textContent('dl.kv')).toContain('backend');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-csv"]')]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    await shot('4-simulation');

    await page.click('a[data-nav="simulations"]');
    await page.waitForSelector('tbody tr [data-status="completed"]');
    await shot('5-simulations');
    await page.click('a[data-nav="sweeps"]');
    await page.waitForSelector(`tr[data-id="${sweepId}"]`);
    await shot('6-sweeps');
  }, 90_000);

  it('lists schedules with their next firing, and pauses one', async () => {
    const schedule = await apiJson<{ id: string }>('POST', '/v1/schedules', {
      name: 'nightly widths', pattern: '0 3 * * *', timeZone: 'Europe/Paris',
      sweep: { name: 'nightly', base: { seed: 1, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 }, student: { unit: 'tanh', width: 8 }, training: { dynamics: 'gd', dt: 0.2, steps: 50 } }, grid: { 'student.width': [8, 16] } },
    });
    await page.click('a[data-nav="schedules"]');
    const card = page.locator(`section[data-id="${schedule.id}"]`);
    await card.waitFor();
    expect(await card.textContent()).toContain('0 3 * * *');
    await shot('7-schedules');
    await card.locator('button:has-text("Pause")').click();
    await card.locator('[data-status="paused"]').waitFor();
    expect((await apiJson<{ paused: boolean }>('GET', `/v1/schedules/${schedule.id}`)).paused).toBe(true);
    await apiJson('DELETE', `/v1/schedules/${schedule.id}`);
  });

  it('names, tags and notes a run on its page; the list search finds it by the note', async () => {
    const sim = await apiJson<{ id: string }>('POST', '/v1/simulations', {
      seed: 3, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 }, student: { unit: 'tanh', width: 8 }, training: { dynamics: 'gd', dt: 0.2, steps: 50 },
    });
    await page.goto(`${base}/dashboard/#/simulations/${sim.id}`);
    const card = page.locator('[data-testid="labels"]');
    await card.waitFor();
    await page.fill('[data-testid="label-name"]', 'e2e labelled run');
    await page.fill('[data-testid="label-tags"]', 'baseline, figure-2');
    await page.fill('[data-testid="label-note"]', 'kept for the e2e note search');
    await page.click('[data-testid="label-save"]');
    await expect.poll(() => page.textContent('[data-testid="label-status"]')).toBe('saved');
    await page.waitForSelector('h1:has-text("e2e labelled run")');
    await shot('9-labels');
    await page.reload();
    await expect.poll(() => page.inputValue('[data-testid="label-note"]')).toBe('kept for the e2e note search');
    expect(await page.inputValue('[data-testid="label-tags"]')).toBe('baseline, figure-2');
    await page.click('a[data-nav="simulations"]');
    await page.fill('input[name="q"]', 'E2E NOTE search');
    await page.press('input[name="q"]', 'Enter');
    await expect.poll(() => page.locator('table tbody tr').count()).toBe(1);
    expect(await page.textContent('table tbody')).toContain('e2e labelled run');
  });

  it('draws births and deaths over time on a birth-death run\'s page', async () => {
    const sim = await apiJson<{ id: string }>('POST', '/v1/simulations', {
      seed: 3, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 }, student: { unit: 'tanh', width: 16 },
      training: { dynamics: 'gd', trainSize: 64, dt: 0.5, steps: 40, birthDeath: { rate: 5 } }, record: { every: 10, testSize: 32, probes: 2 },
    });
    await page.goto(`${base}/dashboard/#/simulations/${sim.id}`);
    // Signed in already when the earlier tests ran; alone, sign in (auth is off in tests).
    await page.waitForSelector('#api-key, [data-chart="birth-death"]', { state: 'attached' });
    if (await page.locator('#api-key').count()) {
      await page.click('button[type=submit]');
      await page.goto(`${base}/dashboard/#/simulations/${sim.id}`);
    }
    await page.waitForSelector('[data-chart="birth-death"][data-drawn="true"]', { timeout: 60_000 });
    await shot('10-birth-death');
  });

  it('draws the scaling chart of an 8 widths x 32 replicas sweep (prints the time)', async () => {
    const sweep = await apiJson<{ id: string }>('POST', '/v1/sweeps', {
      name: '8 widths x 32 replicas',
      base: { seed: 3, inputs: { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 }, student: { unit: 'tanh', width: 8 },
        training: { dynamics: 'sgd', batchSize: 32, dt: 0.2, steps: 100 }, record: { logPoints: 20, testSize: 128, probes: 8 } },
      grid: { 'student.width': [8, 16, 32, 64, 128, 256, 512, 1024] },
      replicas: 32,
    });
    await sweepDone(sweep.id, 80_000);
    await waitFor(async () => {
      const r = await service.app.inject({ url: `/v1/sweeps/${sweep.id}/statistics` });
      return r.statusCode === 200 ? true : undefined;
    }, 20_000, 'sweep statistics');
    const fresh = await browser.context.newPage();
    const t0 = performance.now();
    await fresh.goto(`${base}/dashboard/#/sweeps/${sweep.id}`);
    await fresh.waitForSelector('[data-chart="scaling"][data-drawn="true"]', { timeout: 30_000 });
    const ms = performance.now() - t0;
    const exponent = await fresh.textContent('[data-testid="exponent"]');
    console.log(`time from navigation to a drawn scaling chart (8 widths x 32 replicas): ${ms.toFixed(0)} ms; ${exponent}`);
    await fresh.screenshot({ path: path.join(shots, '8-sweep-8x32.png'), fullPage: true });
    await fresh.close();
  }, 120_000);
});
