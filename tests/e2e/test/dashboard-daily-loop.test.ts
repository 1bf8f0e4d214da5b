// The researcher's daily loop in Chromium against the real service (API with keys on, an
// in-process worker, the test Postgres and Redis): the list's metric columns, filters and sort;
// comparing runs (overlaid curves, spec diff, the URL shared); clone and re-run; a sweep over two
// spec fields from the form and its children's losses; a cancelled sweep; particles of a running
// run; the datasets page; a read-only key. Screenshots go to test-output/dashboard-daily-loop/
// (the folder is printed) to look at.
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, buildDashboard, listenLocally, signIn, startService, startTestWorker, waitFor } from './harness.ts';
import { launchBrowser } from './browser.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const shots = path.resolve(here, '../../../test-output/dashboard-daily-loop');
const ADMIN = 'dashboard-daily-loop-admin-key-0123456789';
const tag = `loop-${Math.random().toString(36).slice(2, 8)}`;

let service: Awaited<ReturnType<typeof startService>>;
let app: Awaited<ReturnType<typeof buildApp>>;
let worker: Awaited<ReturnType<typeof startTestWorker>>;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let base = '';
let page: Page;

const shot = (name: string, p: Page = page) => p.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true });

async function call<T>(method: string, url: string, body?: unknown, key = ADMIN): Promise<T> {
  const res = await app.inject({ method: method as 'GET', url, payload: body as object, headers: { authorization: `Bearer ${key}` } });
  if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  return (res.body ? res.json() : undefined) as T;
}

interface Sim {
  id: string; status: string; name: string | null; seed: number;
  spec: { student: { width: number }; priority: number; resources: { gpu: string }; [field: string]: unknown };
}
const FINAL = ['completed', 'failed', 'cancelled', 'diverged'];
const finished = (id: string, timeoutMs = 90_000) =>
  waitFor(async () => {
    const s = await call<Sim>('GET', `/v1/simulations/${id}`);
    return FINAL.includes(s.status) ? s : undefined;
  }, timeoutMs, `simulation ${id}`);

const spec = (over: { width?: number; dt?: number; steps?: number; name?: string; snapshots?: number[]; replicas?: number; inputs?: unknown } = {}) => ({
  name: over.name ?? `${tag} run`, tags: [tag], seed: 5, replicas: over.replicas ?? 3,
  inputs: over.inputs ?? { kind: 'gaussian', d: 4 }, target: { kind: 'teacher', unit: 'tanh', width: 3 },
  student: { unit: 'tanh', width: over.width ?? 8 },
  training: { dynamics: 'gd', trainSize: 64, dt: over.dt ?? 0.2, steps: over.steps ?? 60 },
  record: { logPoints: 10, testSize: 64, probes: 2, snapshots: over.snapshots ?? [] },
});


const cellNumbers = (p: Page, col: string) =>
  p.$$eval(`table.runs tbody tr[data-id] td[data-col="${col}"]`, (tds) => tds.map((td) => Number(td.textContent)));

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  console.log(`daily-loop screenshots: ${shots}`);
  buildDashboard();
  service = await startService();
  app = await buildApp({ deps: service.deps, auth: { adminKey: ADMIN, rateLimitPerMinute: 100_000 } });
  base = await listenLocally(app);
  worker = await startTestWorker();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('pageerror', (err) => console.error('page error:', err.message));
  await signIn(page, base, ADMIN);
});

afterAll(async () => {
  await browser?.close();
  await worker?.close();
  await app?.close();
  await service?.close();
});

describe('the daily loop in Chromium', () => {
  let runs: Sim[] = [];

  it('lists runs with metric columns, filters by spec field and several statuses, sorts by final test loss, and compares picked runs', async () => {
    const made = await Promise.all([
      call<Sim>('POST', '/v1/simulations', spec({ width: 8, name: `${tag} n=8` })),
      call<Sim>('POST', '/v1/simulations', spec({ width: 32, name: `${tag} n=32` })),
      call<Sim>('POST', '/v1/simulations', spec({ width: 32, dt: 0.05, name: `${tag} n=32 dt=0.05` })),
    ]);
    runs = await Promise.all(made.map((s) => finished(s.id)));
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);

    await page.goto(`${base}/dashboard/#/simulations?tag=${tag}`);
    await page.waitForSelector(`tr[data-id="${runs[0].id}"]`);
    const headers = await page.$$eval('table.runs thead th', (ths) => ths.map((th) => th.textContent!.trim()));
    for (const h of ['Final test loss', 'Best test loss', 'Final train loss', 'Width', 'Dynamics', 'dt', 'Steps', 'Run time']) expect(headers.join('|')).toContain(h);
    // Every finished run shows its figures.
    const finals = await cellNumbers(page, 'finalTestLoss');
    expect(finals).toHaveLength(3);
    for (const v of finals) expect(v).toBeGreaterThan(0);
    expect(await page.textContent(`tr[data-id="${runs[2].id}"] td[data-col="dt"]`)).toBe('0.05');

    // A spec field filter, typed as the API names it.
    await page.fill('input[name="spec"]', 'student.width=32');
    await page.press('input[name="spec"]', 'Enter');
    await page.waitForURL(/spec\.student\.width=32/);
    await expect.poll(() => page.locator('table.runs tbody tr[data-id]').count()).toBe(2);
    expect(await page.$$eval('td[data-col="width"]', (tds) => tds.map((td) => td.textContent))).toEqual(['32', '32']);
    // Several statuses at once: completed or failed (one box each).
    await page.check('[data-status-filter="completed"] input');
    await page.waitForURL(/status=completed/);
    await page.check('[data-status-filter="failed"] input');
    await page.waitForURL(/status=completed%2Cfailed|status=completed,failed/);
    await expect.poll(() => page.locator('table.runs tbody tr[data-id]').count()).toBe(2);
    // Sorted by the API, lowest final test loss first, then reversed.
    await page.click('th[data-col="finalTestLoss"] button');
    await page.waitForURL(/sort=finalTestLoss/);
    await page.waitForSelector('th[data-col="finalTestLoss"][aria-sort="ascending"]');
    const asc = await cellNumbers(page, 'finalTestLoss');
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await page.click('th[data-col="finalTestLoss"] button');
    await page.waitForSelector('th[data-col="finalTestLoss"][aria-sort="descending"]');
    const desc = await cellNumbers(page, 'finalTestLoss');
    expect(desc).toEqual([...asc].reverse());
    await shot('1-list-filtered-sorted');

    // Pick the three runs (the filter hides one: clear it) and compare them.
    await page.goto(`${base}/dashboard/#/simulations?tag=${tag}`);
    await page.waitForSelector(`tr[data-id="${runs[0].id}"]`);
    for (const r of runs) await page.check(`input[data-select="${r.id}"]`);
    await expect.poll(() => page.textContent('[data-testid="compare-selected"]')).toBe('Compare 3 selected');
    await shot('2-list-picked');
    // The picked runs as one zip, from the API's export.
    const [zip] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-selected"]')]);
    expect(zip.suggestedFilename()).toBe('mfsim-3-runs.zip');
    const zipPath = await zip.path();
    expect(readFileSync(zipPath).subarray(0, 2).toString()).toBe('PK');
    await page.click('[data-testid="compare-selected"]');
    await page.waitForURL(/#\/compare\?ids=/);
    await page.waitForSelector('[data-chart="compare-test"][data-drawn="true"]');
    await page.waitForSelector('[data-chart="compare-train"][data-drawn="true"]');
    expect(await page.locator('[data-testid="compare-legend"] li').count()).toBe(3);
    // Diff only: the fields that differ (width, dt, and the names), not those that agree.
    const differing = await page.$$eval('[data-testid="spec-diff"] tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.path));
    expect(differing).toContain('student.width');
    expect(differing).toContain('training.dt');
    expect(differing).not.toContain('inputs.d');
    await shot('3-compare');
    await page.uncheck('[data-testid="diff-only"]');
    await expect.poll(() => page.url()).toMatch(/fields=all/);
    const all = await page.$$eval('[data-testid="spec-diff"] tbody tr', (trs) => trs.map((tr) => (tr as HTMLElement).dataset.path));
    expect(all).toContain('inputs.d');
    expect(await page.$$eval('[data-testid="spec-diff"] tr[data-path="inputs.d"] td', (tds) => tds.slice(1).map((td) => td.textContent))).toEqual(['4', '4', '4']);

    // Shared: the same address in another tab (signed in) shows the same runs.
    const shared = page.url();
    const other = await browser.context.newPage();
    await other.goto(shared);
    await other.waitForSelector('[data-chart="compare-test"][data-drawn="true"]');
    expect(await other.locator('[data-testid="compare-legend"] li').count()).toBe(3);
    expect(await other.isChecked('[data-testid="diff-only"]')).toBe(false);
    await other.close();
  }, 240_000);

  it('clones a run into the New form and re-runs it with one field changed', async () => {
    const source = runs[0];
    await page.goto(`${base}/dashboard/#/simulations/${source.id}`);
    await page.click('[data-action="clone"]');
    await page.waitForURL(/#\/new\?from=/);
    await page.waitForSelector('[data-testid="clone-note"]');
    expect(await page.inputValue('[name="student.width"]')).toBe('8');
    expect(await page.inputValue('[name="training.dt"]')).toBe('0.2');
    expect(await page.inputValue('[name="seed"]')).toBe(String(source.seed));
    await page.fill('[name="student.width"]', '16');
    await page.fill('[name="name"]', `${tag} clone n=16`);
    await shot('4-clone-form');
    await page.click('form.spec-form button[type=submit]');
    await page.waitForURL(/#\/simulations\/[0-9a-f-]{36}$/);
    const cloneId = page.url().split('/').pop()!;
    const clone = await call<Sim>('GET', `/v1/simulations/${cloneId}`);
    expect(clone.spec.student.width).toBe(16);
    // Everything else as the source had it.
    const strip = (s: Sim) => ({ ...s.spec, name: null, student: { ...s.spec.student, width: null } });
    expect(strip(clone)).toEqual(strip(source));
    expect(clone.seed).toBe(source.seed);
    await finished(cloneId);

    // Pasted YAML: an error at its path, then a submission.
    await page.goto(`${base}/dashboard/#/new`);
    await page.click('button[data-kind="paste"]');
    const yaml = `name: ${tag} pasted\nseed: 2\ninputs: {kind: gaussian, d: 4}\ntarget: {kind: teacher, unit: tanh, width: 3}\nstudent: {unit: tanh, width: 8}\ntraining: {dynamics: gd, trainSize: 64, dt: -1, steps: 30}\ntags: [${tag}]\n`;
    await page.fill('textarea[name="paste"]', yaml);
    await page.click('form.spec-form button[type=submit]');
    await expect.poll(() => page.textContent('.form-errors')).toMatch(/training\.dt/);
    await page.fill('textarea[name="paste"]', yaml.replace('dt: -1', 'dt: 0.2'));
    await page.click('form.spec-form button[type=submit]');
    await page.waitForURL(/#\/simulations\/[0-9a-f-]{36}$/);
    const pasted = await call<Sim>('GET', `/v1/simulations/${page.url().split('/').pop()}`);
    expect(pasted.name).toBe(`${tag} pasted`);
  }, 180_000);

  it('submits a ramp-unit run from the form: its four parameters appear with defaults, t1 >= t2 is named at t2, the run is created with them', async () => {
    await page.goto(`${base}/dashboard/#/new`);
    await page.waitForSelector('[name="student.unit"]');
    const fill = (name: string, value: string) => page.fill(`[name="${name}"]`, value);
    expect(await page.isVisible('[name="student.ramp.s1"]')).toBe(false);
    await page.selectOption('[name="student.unit"]', 'ramp');
    for (const [k, v] of [['s1', '-1'], ['s2', '1'], ['t1', '-1'], ['t2', '1']]) {
      expect(await page.isVisible(`[name="student.ramp.${k}"]`), k).toBe(true);
      expect(await page.inputValue(`[name="student.ramp.${k}"]`), k).toBe(v);
    }
    await fill('name', `${tag} ramp`);
    await fill('tags', tag);
    await fill('replicas', '2');
    await fill('inputs.d', '4');
    await fill('student.width', '8');
    await page.selectOption('[name="training.dynamics"]', 'gd');
    await fill('training.trainSize', '64');
    await fill('training.steps', '40');
    await fill('record.logPoints', '8');
    await fill('record.testSize', '64');
    await fill('record.probes', '2');
    await fill('record.snapshots', '0');
    await page.selectOption('[name="resources.gpu"]', 'no');
    await fill('student.ramp.s1', '0');
    await fill('student.ramp.s2', '1.5');
    await fill('student.ramp.t1', '0.5');
    await fill('student.ramp.t2', '0.5');
    await page.click('form.spec-form button[type=submit]');
    // Refused in the page, at the t2 field; nothing submitted.
    await expect.poll(() => page.textContent('[data-for="student.ramp.t2"]')).toMatch(/greater than t1 \(0\.5\)/);
    expect(page.url()).toMatch(/#\/new$/);
    await fill('student.ramp.t2', '2');
    await shot('4b-ramp-form');
    await page.click('form.spec-form button[type=submit]');
    await page.waitForURL(/#\/simulations\/[0-9a-f-]{36}$/);
    const id = page.url().split('/').pop()!;
    const created = await call<Sim>('GET', `/v1/simulations/${id}`);
    expect(created.spec.student).toMatchObject({ unit: 'ramp', width: 8, ramp: { s1: 0, s2: 1.5, t1: 0.5, t2: 2 } });
    expect((await finished(id)).status).toBe('completed');
  }, 180_000);

  it('submits a sweep over widths and dt with a priority and a reference run from the form; its page lists the children with their losses; a child\'s page draws L_ref', async () => {
    await page.goto(`${base}/dashboard/#/new`);
    await page.click('button[data-kind="sweep"]');
    const fill = (name: string, value: string) => page.fill(`[name="${name}"]`, value);
    await fill('name', `${tag} sweep`);
    await fill('replicas', '3');
    await fill('inputs.d', '4');
    await page.selectOption('[name="training.dynamics"]', 'gd');
    await fill('training.trainSize', '64');
    await fill('training.steps', '60');
    await fill('record.logPoints', '10');
    await fill('record.testSize', '64');
    await fill('record.probes', '2');
    await fill('record.snapshots', '0');
    await fill('priority', '7');
    await page.selectOption('[name="resources.gpu"]', 'no');
    await fill('sweep.widths', '8, 16, 32, 64');
    await fill('sweep.grid', 'training.dt = 0.1, -0.2');
    await fill('reference.width', '64');
    await page.click('form.spec-form button[type=submit]');
    // The bad dt is named at the grid field, in the page; then a reference no wider than the grid at its own.
    await expect.poll(() => page.textContent('[data-for="sweep.grid"]')).toMatch(/training\.dt = -0\.2/);
    await fill('sweep.grid', 'training.dt = 0.1, 0.2');
    await page.click('form.spec-form button[type=submit]');
    await expect.poll(() => page.textContent('[data-for="reference.width"]')).toMatch(/larger than every width of the grid \(the widest is 64\)/);
    await fill('reference.width', '256');
    await shot('5-sweep-form');
    await page.click('form.spec-form button[type=submit]');
    await page.waitForURL(/#\/sweeps\/[0-9a-f-]{36}$/);
    const sweepId = page.url().split('/').pop()!;
    const sweep = await call<{ grid: Record<string, unknown[]>; reference: unknown; children: { simulationId: string; width: number }[] }>('GET', `/v1/sweeps/${sweepId}`);
    expect(sweep.grid).toEqual({ 'student.width': [8, 16, 32, 64], 'training.dt': [0.1, 0.2] });
    expect(sweep.reference).toEqual({ width: 256, replicas: 3 });
    // 8 grid points and one reference run per dt.
    expect(sweep.children).toHaveLength(10);
    const child = await call<Sim>('GET', `/v1/simulations/${sweep.children[0].simulationId}`);
    expect([child.spec.priority, child.spec.resources.gpu]).toEqual([7, 'no']);

    await page.waitForSelector('[data-chart="scaling"][data-drawn="true"]', { timeout: 120_000 });
    await expect.poll(async () => (await page.$$eval('[data-testid="sweep-children"] td[data-col="finalTestLoss"]', (tds) => tds.map((td) => Number(td.textContent)))).filter((v) => v > 0).length, { timeout: 30_000 }).toBe(10);
    await shot('6-sweep-completed');
    const [sweepZip] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-sweep"]')]);
    expect(sweepZip.suggestedFilename()).toMatch(/^mfsim-sweep-[0-9a-f]{8}\.zip$/);
    expect(readFileSync(await sweepZip.path()).subarray(0, 2).toString()).toBe('PK');

    // A grid child's page: the reference run's L_ref(t) dotted on its test-loss chart.
    const gridChild = sweep.children.find((c) => c.width === 16)!;
    await page.goto(`${base}/dashboard/#/simulations/${gridChild.simulationId}`);
    await expect.poll(() => page.textContent('section.card:has([data-chart="test-loss"]) p.muted'), { timeout: 30_000 })
      .toMatch(/the sweep's mean-field reference L_ref \(n = 256, 3 replicas\), band: its 95% interval/);
    await page.waitForSelector('[data-chart="test-loss"][data-drawn="true"]');
    await shot('6b-sweep-child-with-reference');

    // The list grouped by sweep: this sweep's runs under its name.
    await page.goto(`${base}/dashboard/#/simulations?sweepId=${sweepId}&group=sweep`);
    await page.waitForSelector(`tr.group-row[data-group="${sweepId}"]`);
    await expect.poll(() => page.textContent(`tr.group-row[data-group="${sweepId}"] strong`)).toBe(`${tag} sweep`);
    expect(await page.locator('table.runs tbody tr[data-id]').count()).toBe(10);
    await shot('7-list-grouped');
  }, 240_000);

  it('shows a cancelled sweep as cancelled, with the progress its children made, and stops asking for its statistics', async () => {
    const sweep = await call<{ id: string; children: { simulationId: string }[] }>('POST', '/v1/sweeps', {
      name: `${tag} cancelled`, base: spec({ steps: 400_000 }), grid: { 'student.width': [8, 16, 32] },
    });
    // Cancelled once its first child is under way.
    await waitFor(async () => {
      const s = await call<{ children: { status: string; progress: number }[] }>('GET', `/v1/sweeps/${sweep.id}`);
      return s.children.some((c) => c.status === 'running' && c.progress > 0) ? true : undefined;
    }, 60_000, 'a running child');
    await call('POST', `/v1/sweeps/${sweep.id}/cancel`);
    const done = await waitFor(async () => {
      const s = await call<{ status: string; progress: number; children: { status: string }[] }>('GET', `/v1/sweeps/${sweep.id}`);
      return s.status === 'cancelled' && s.children.every((c) => FINAL.includes(c.status)) ? s : undefined;
    }, 60_000, 'the sweep cancelled');
    expect(done.progress).toBeLessThan(1);

    const statisticsAsked: string[] = [];
    page.on('request', (r) => { if (r.url().includes(`/v1/sweeps/${sweep.id}/statistics`)) statisticsAsked.push(r.url()); });
    await page.goto(`${base}/dashboard/#/sweeps/${sweep.id}`);
    await page.waitForSelector('.page-header [data-status="cancelled"]');
    const shown = Number((await page.getAttribute('.page-header + .progress-row [role="progressbar"]', 'aria-valuenow')) ?? NaN);
    expect(shown).toBe(Math.round(done.progress * 100));
    expect(shown).toBeLessThan(100);
    expect(await page.locator('[data-testid="sweep-children"] tbody [data-status="cancelled"]').count()).toBe(3);
    await expect.poll(() => page.textContent('main')).toContain('No statistics: the sweep was cancelled');
    await page.waitForTimeout(4000);
    expect(statisticsAsked.length).toBeLessThanOrEqual(1);
    await shot('8-sweep-cancelled');
  }, 180_000);

  it('shows the particles of a running run as its snapshots land', async () => {
    const sim = await call<Sim>('POST', '/v1/simulations', spec({ width: 64, steps: 5_000_000, snapshots: [0, 10, 4_000_000], name: `${tag} running` }));
    await page.goto(`${base}/dashboard/#/simulations/${sim.id}`);
    await page.waitForSelector('[data-chart="particles-norm"][data-drawn="true"]', { timeout: 60_000 });
    expect((await call<Sim>('GET', `/v1/simulations/${sim.id}`)).status).toBe('running');
    expect(await page.textContent('.page-header')).toContain('running');
    await shot('9-running-particles');
    await call('POST', `/v1/simulations/${sim.id}/cancel`);
    await finished(sim.id);
  }, 120_000);

  it('lists datasets and shows the API\'s answer to a delete', async () => {
    const x = Array.from({ length: 16 }, (_, i) => [Math.cos(i), Math.sin(i)]);
    const y = x.map(([a, b]) => a * b);
    const used = await call<{ id: string }>('POST', '/v1/datasets', { name: `${tag} used`, train: { x, y } });
    const free = await call<{ id: string }>('POST', '/v1/datasets', { name: `${tag} free`, train: { x, y } });
    // A cancelled run may be retried: it still holds its dataset.
    const sim = await call<Sim>('POST', '/v1/simulations', {
      name: `${tag} on a dataset`, seed: 1, inputs: { kind: 'dataset', datasetId: used.id }, target: { kind: 'labels' },
      student: { unit: 'tanh', width: 8 }, training: { dynamics: 'gd', dt: 0.1, steps: 400_000 },
    });
    await call('POST', `/v1/simulations/${sim.id}/cancel`);
    await finished(sim.id);

    await page.goto(`${base}/dashboard/#/datasets`);
    await page.waitForSelector(`tr[data-id="${free.id}"]`);
    expect(await page.textContent(`tr[data-id="${used.id}"]`)).toContain(`${tag} used`);
    await page.click(`tr[data-id="${used.id}"] [data-action="delete"]`);
    await page.click(`tr[data-id="${used.id}"] [data-action="confirm-delete"]`);
    await expect.poll(() => page.textContent('[data-testid="dataset-status"]')).toMatch(/^Not deleted: /);
    expect(await page.textContent('[data-testid="dataset-status"]')).toContain(sim.id.slice(0, 8));
    await shot('10-datasets-refused');
    await page.click(`tr[data-id="${free.id}"] [data-action="delete"]`);
    await page.click(`tr[data-id="${free.id}"] [data-action="confirm-delete"]`);
    await expect.poll(() => page.textContent('[data-testid="dataset-status"]')).toBe(`Deleted “${tag} free”.`);
    await page.waitForSelector(`tr[data-id="${free.id}"]`, { state: 'detached' });
  }, 120_000);

  it('gives a read-only key a sentence instead of the New form, and no clone button', async () => {
    const reader = await call<{ key: string }>('POST', '/v1/keys', { name: `${tag} reader`, role: 'read' });
    const ro = await browser.context.newPage();
    await signIn(ro, base, reader.key);
    await ro.waitForSelector('a[data-nav="new"]', { state: 'hidden' });
    await ro.goto(`${base}/dashboard/#/new`);
    await ro.waitForSelector('[data-testid="read-only"]');
    expect(await ro.textContent('[data-testid="read-only"]')).toMatch(/can read only/);
    expect(await ro.locator('form.spec-form').count()).toBe(0);
    expect(await ro.textContent('main')).not.toMatch(/is not enough/);
    await shot('11-read-only', ro);
    await ro.goto(`${base}/dashboard/#/simulations/${runs[0].id}`);
    await ro.waitForSelector('[data-chart="test-loss"][data-drawn="true"]');
    expect(await ro.locator('[data-action="clone"]').count()).toBe(0);
    await ro.close();
  }, 60_000);
});
