// Projects in the dashboard, in a real browser against the real service with keys on: the top bar
// shows the project; an admin switches projects there and the lists follow; a project's own key
// sees only its project, with no list to switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, buildDashboard, listenLocally, signIn, smallSpec, startService } from './harness.ts';
import { launchBrowser } from './browser.ts';

const ADMIN = 'dashboard-projects-admin-key-0123456789';
const run = Math.random().toString(36).slice(2, 8);
const RED = `red-${run}`;

let service: Awaited<ReturnType<typeof startService>>;
let app: Awaited<ReturnType<typeof buildApp>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let base = '';

async function call<T>(key: string, method: string, url: string, body?: unknown): Promise<T> {
  const res = await app.inject({ method: method as 'GET', url, payload: body as object, headers: { authorization: `Bearer ${key}` } });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return res.json() as T;
}


beforeAll(async () => {
  buildDashboard();
  service = await startService();
  app = await buildApp({ deps: service.deps, auth: { adminKey: ADMIN, rateLimitPerMinute: 100_000 } });
  base = await listenLocally(app);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await service?.close();
});

describe('projects in the dashboard', () => {
  it('shows the project, lets an admin switch, and shows a project key only its own', async () => {
    const red = await call<{ key: string }>(ADMIN, 'POST', '/v1/keys', { name: 'red reader', role: 'read', project: RED });
    await call(ADMIN, 'POST', '/v1/simulations', smallSpec({ name: `default run ${run}` }));
    // The red run is made in red by the admin switching there.
    const res = await app.inject({
      method: 'POST', url: '/v1/simulations', payload: smallSpec({ name: `only red ${run}` }),
      headers: { authorization: `Bearer ${ADMIN}`, 'mfsim-project': RED },
    });
    expect(res.statusCode).toBe(201);

    const page = await browser.context.newPage();
    await signIn(page, base, ADMIN);
    const select = page.locator('select.project-select');
    await expect.poll(() => select.inputValue()).toBe('default');
    expect(await page.locator(`select.project-select option[value="${RED}"]`).count()).toBe(1);
    await page.waitForSelector(`text=default run ${run}`);
    expect(await page.locator(`text=only red ${run}`).count()).toBe(0);

    await select.selectOption(RED);
    await page.waitForSelector(`text=only red ${run}`);
    expect(await page.locator(`text=default run ${run}`).count()).toBe(0);
    // It stays switched on the next page load.
    await page.reload();
    await page.waitForSelector(`text=only red ${run}`);
    await expect.poll(() => select.inputValue()).toBe(RED);

    // Signed in again with red's read key: its project, no list.
    await page.click('button:has-text("Sign out")');
    const reader = page;
    await signIn(reader, base, red.key);
    await expect.poll(async () => reader.textContent('.project-name')).toBe(`Project: ${RED}`);
    expect(await reader.locator('select.project-select').count()).toBe(0);
    await reader.waitForSelector(`text=only red ${run}`);
    expect(await reader.locator(`text=default run ${run}`).count()).toBe(0);
  });
});
