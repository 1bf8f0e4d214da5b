// @vitest-environment happy-dom
// The sweep's mean-field reference from the dashboard: the New form's `reference: {width, replicas}`
// (checked in the page, and the API's refusal shown at its field), the reference curve L_ref(t) on a
// sweep child's page beside the NTK curve, the zip exports through the SDK's client, and a resumed
// run's first start and total run time.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { downloadZip, selectionZip, sweepZip } from '../src/client/export-zip.ts';
import { meanFieldCurve, type SweepMeanField } from '../src/client/limits-view.ts';
import { newPage } from '../src/client/pages/new.ts';
import { simulationPage } from '../src/client/pages/simulation.ts';
import { scheduleFieldFor, validateSchedule } from '../src/client/schedule-form.ts';
import { defaultValues, SWEEP_REFERENCE_REPLICAS, SWEEP_REFERENCE_WIDTH, SWEEP_WIDTHS, validate } from '../src/client/spec-form.ts';

const SWEEP = '00000000-0000-4000-8000-00000000000a';
const SIM = '00000000-0000-4000-8000-00000000000b';
const REF = '00000000-0000-4000-8000-00000000000c';
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};
const requests = (fetch: ReturnType<typeof vi.fn>) => fetch.mock.calls.map(([url, init]) => `${(init as RequestInit | undefined)?.method ?? 'GET'} ${String(url)}`);

let root: HTMLElement;
beforeEach(() => {
  localStorage.clear();
  document.body.replaceChildren();
  root = document.createElement('main');
  document.body.append(root);
});
afterEach(() => vi.unstubAllGlobals());

describe('the New form: a sweep with a reference run', () => {
  const sweepValues = { ...defaultValues(), replicas: '6', [SWEEP_WIDTHS]: '16, 32, 64' };

  it('sends reference {width, replicas}, the replicas defaulting to the sweep\'s; none when the width is empty', () => {
    const r = validate('sweep', { ...sweepValues, [SWEEP_REFERENCE_WIDTH]: '1024' });
    expect(r.ok && r.body.reference).toEqual({ width: 1024, replicas: 6 });
    const explicit = validate('sweep', { ...sweepValues, [SWEEP_REFERENCE_WIDTH]: '1024', [SWEEP_REFERENCE_REPLICAS]: '2' });
    expect(explicit.ok && explicit.body.reference).toEqual({ width: 1024, replicas: 2 });
    const none = validate('sweep', sweepValues);
    expect(none.ok && 'reference' in none.body).toBe(false);
  });

  it('refuses a reference no wider than the grid, or replicas without a width, at the reference fields', () => {
    const narrow = validate('sweep', { ...sweepValues, [SWEEP_REFERENCE_WIDTH]: '64' });
    expect(!narrow.ok && narrow.issues.map((i) => [i.path, i.message])).toEqual([[SWEEP_REFERENCE_WIDTH, expect.stringMatching(/larger than every width of the grid \(the widest is 64\)/)]]);
    const noWidth = validate('sweep', { ...sweepValues, [SWEEP_REFERENCE_REPLICAS]: '2' });
    expect(!noWidth.ok && noWidth.issues.map((i) => i.path)).toEqual([SWEEP_REFERENCE_WIDTH]);
    const badReplicas = validate('sweep', { ...sweepValues, [SWEEP_REFERENCE_WIDTH]: '1024', [SWEEP_REFERENCE_REPLICAS]: '0' });
    expect(!badReplicas.ok && badReplicas.issues.map((i) => i.path)).toEqual([SWEEP_REFERENCE_REPLICAS]);
  });

  it('gives a schedule\'s sweep template the same reference', () => {
    const r = validateSchedule({ name: 'nightly', pattern: '0 3 * * *', timeZone: 'UTC' }, { ...sweepValues, [SWEEP_REFERENCE_WIDTH]: '2048' });
    expect(r.ok && (r.body.sweep as { reference: unknown }).reference).toEqual({ width: 2048, replicas: 6 });
    const narrow = validateSchedule({ name: 'nightly', pattern: '0 3 * * *', timeZone: 'UTC' }, { ...sweepValues, [SWEEP_REFERENCE_WIDTH]: '32' });
    expect(!narrow.ok && narrow.issues.map((i) => scheduleFieldFor(i.path, [SWEEP_REFERENCE_WIDTH]))).toEqual([SWEEP_REFERENCE_WIDTH]);
    expect(scheduleFieldFor('sweep.reference.width', [SWEEP_REFERENCE_WIDTH])).toBe(SWEEP_REFERENCE_WIDTH);
  });

  it('shows the reference fields in sweep mode only, and the API\'s 400 at the field it names', async () => {
    const refusal = 'needs about 41.20 GiB, over the worker budget of 8.00 GiB';
    const fetch = vi.fn(async (url: string, _init?: RequestInit) => String(url) === '/v1/sweeps'
      ? json({ statusCode: 400, error: 'Bad Request', message: `invalid sweep: reference.width: ${refusal}`, issues: [{ path: 'reference.width', message: refusal }] }, 400)
      : json({ role: 'submit' }));
    vi.stubGlobal('fetch', fetch);
    const go = vi.fn();
    newPage(root, new URLSearchParams('kind=sweep'), go);
    const field = root.querySelector<HTMLElement>(`.field[data-path="${SWEEP_REFERENCE_WIDTH}"]`)!;
    expect(field.closest('fieldset')!.hidden).toBe(false);
    const input = field.querySelector('input')!;
    input.value = '500000';
    input.dispatchEvent(new Event('change', { bubbles: true }));
    root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await until(() => field.classList.contains('invalid'));
    expect(root.querySelector(`[data-for="${SWEEP_REFERENCE_WIDTH}"]`)!.textContent).toBe(refusal);
    expect(go).not.toHaveBeenCalled();
    const sent = fetch.mock.calls.find(([url]) => String(url) === '/v1/sweeps')!;
    expect(JSON.parse(String((sent[1] as RequestInit).body)).reference).toEqual({ width: 500000, replicas: 4 });
    // One simulation: no sweep fields.
    root.querySelector<HTMLButtonElement>('button[data-kind="simulation"]')!.click();
    expect(field.closest('fieldset')!.hidden).toBe(true);
  });
});

const meanField = (over: Partial<SweepMeanField> = {}): SweepMeanField => ({
  series: { 'training.dt': 0.2 }, source: 'reference',
  reference: { simulationId: REF, width: 4096, replicas: 4, status: 'completed' },
  points: [{ time: 1, loss: 0.5, lower: 0.45, upper: 0.55 }, { time: 10, loss: 0.05, lower: -0.01, upper: 0.11 }, { time: 20, loss: null, lower: null, upper: null }],
  ...over,
});

describe('the sweep\'s mean-field reference curve', () => {
  const spec = { training: { dt: 0.2 }, student: { width: 64 } };

  it('is the series\' L_ref(t) with its interval, kept positive on the log axis', () => {
    const other = meanField({ series: { 'training.dt': 0.1 }, points: [{ time: 1, loss: 9, lower: 8, upper: 10 }] });
    const curve = meanFieldCurve([other, meanField()], spec, SIM)!;
    expect(curve.label).toBe('mean-field reference L_ref (n = 4096, 4 replicas)');
    expect(curve.times).toEqual([1, 10]);
    expect(curve.values).toEqual([0.5, 0.05]);
    expect(curve.lower).toEqual([0.45, 0.005]);
    expect(curve.upper).toEqual([0.55, 0.11]);
  });

  it('is L_inf of the fit for a mean-field series without a reference, and nothing for the reference run itself or an ntk series', () => {
    expect(meanFieldCurve([meanField({ source: 'finite-width', reference: null })], spec, SIM)!.label).toBe('mean-field limit L_inf (L_inf + a/n fit)');
    expect(meanFieldCurve([meanField()], spec, REF)).toBeUndefined();
    expect(meanFieldCurve([meanField({ source: null, reference: null, points: [] })], spec, SIM)).toBeUndefined();
    expect(meanFieldCurve([meanField({ series: { 'training.dt': 0.1 } })], spec, SIM)).toBeUndefined();
    expect(meanFieldCurve([], spec, SIM)).toBeUndefined();
  });
});

function child(over: Record<string, unknown> = {}) {
  return {
    id: SIM, name: 'sweep width=64', tags: [], note: null, status: 'completed', progress: 1, stepsDone: 20, seed: 3,
    spec: { replicas: 2, student: { width: 64, parameterization: 'ntk' }, training: { dynamics: 'gd', dt: 0.2, steps: 20 }, record: { snapshots: [] }, inputs: { kind: 'gaussian', d: 4 } },
    backend: 'native', device: 'cpu', error: null, divergedAtStep: null, sweepId: SWEEP,
    createdAt: '2026-01-01T00:00:00.000Z', firstStartedAt: '2026-01-01T00:00:10.000Z', startedAt: '2026-01-01T01:00:00.000Z',
    finishedAt: '2026-01-01T01:00:30.000Z', runSeconds: 95, ...over,
  };
}
const points = [1, 2].flatMap((replica) => [0, 10, 20].map((step) => ({ replica, step, time: step * 0.2, trainLoss: 0.5 / (step + 1), testLoss: 0.6 / (step + 1) })));
const limits = {
  simulationId: SIM,
  prediction: { parameterization: 'ntk', notes: [], ntk: { times: [0, 2, 4], testLoss: [0.6, 0.06, 0.03], sample: 'training set', trainSize: 64 } },
  agreement: { nngp: null, ntk: null, ntkAgrees: null },
};

function serve(sim: Record<string, unknown>, sweepLimits: unknown) {
  const fetch = vi.fn(async (url: string) => {
    const path = String(url);
    if (path.includes('/events')) return json({ statusCode: 404, error: 'Not Found', message: 'no' }, 404);
    if (path.startsWith(`/v1/simulations/${SIM}/trajectory`)) return json({ points, nextCursor: null });
    if (path === `/v1/simulations/${SIM}/limits`) return json(limits);
    if (path === `/v1/sweeps/${SWEEP}/limits`) return sweepLimits === null ? json({ statusCode: 404, error: 'Not Found', message: 'no sweep' }, 404) : json(sweepLimits);
    if (path.startsWith(`/v1/simulations/${SIM}/snapshots`)) return json({ items: [] });
    if (path === `/v1/simulations/${SIM}`) return json(sim);
    return json({ role: 'read' });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

describe('a sweep child\'s simulation page', () => {
  const lossNote = () => root.querySelector('[data-chart="test-loss"]')!.closest('section')!.querySelector('p.muted')!.textContent ?? '';

  it('draws the sweep\'s L_ref(t) beside the NTK curve and says which it is', async () => {
    const fetch = serve(child(), { sweepId: SWEEP, children: [], meanField: [meanField({ series: {} })] });
    const stop = simulationPage(root, SIM);
    await until(() => lossNote().includes('L_ref'));
    expect(lossNote()).toMatch(/Dotted on the test loss: the sweep's mean-field reference L_ref \(n = 4096, 4 replicas\), band: its 95% interval\./);
    expect(root.querySelector('[data-testid="limits"]')!.textContent).toMatch(/NTK prediction \(training set, 64 points\)/);
    expect(requests(fetch)).toContain(`GET /v1/sweeps/${SWEEP}/limits`);
    stop();
  });

  it('shows the finite-width side alone when the sweep has no limits to give', async () => {
    serve(child(), null);
    const stop = simulationPage(root, SIM);
    await until(() => !!root.querySelector('[data-testid="limits"]') && lossNote().includes('replicas ×'));
    await new Promise((r) => setTimeout(r, 30));
    expect(lossNote()).not.toMatch(/L_ref|L_inf/);
    stop();
  });

  it('gives a resumed run\'s first start, its last attempt\'s, and the run time of all attempts', async () => {
    serve(child(), { sweepId: SWEEP, children: [], meanField: [] });
    const stop = simulationPage(root, SIM);
    await until(() => root.textContent!.includes('first started'));
    const facts = Object.fromEntries([...root.querySelectorAll('dt')].map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]));
    expect(Object.keys(facts)).toEqual(expect.arrayContaining(['first started', 'last attempt started', 'run time']));
    expect(facts['first started']).not.toBe(facts['last attempt started']);
    expect(facts['run time']).toBe('1 min 35 s'); // the last attempt alone ran 30 s
    stop();
  });
});

describe('zip exports through the SDK client', () => {
  it('asks for the picked runs and the sweep with the signed-in key, and shows the API\'s refusal', async () => {
    localStorage.setItem('mfsim.apiKey', 'k-123');
    localStorage.setItem('mfsim.signedIn', '1');
    const fetch = vi.fn(async (url: string, _init?: RequestInit) => String(url).includes('/v1/sweeps/')
      ? json({ statusCode: 409, error: 'Conflict', message: 'sweep has no finished child yet' }, 409)
      : new Response(new Uint8Array([0x50, 0x4b, 3, 4]), { status: 200, headers: { 'content-type': 'application/zip' } }));
    vi.stubGlobal('fetch', fetch);
    URL.createObjectURL = vi.fn(() => 'blob:zip');
    URL.revokeObjectURL = vi.fn();
    expect(await downloadZip(selectionZip([SIM, REF]), 'two.zip')).toBeNull();
    const [url, init] = fetch.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(`/v1/simulations/export.zip?ids=${encodeURIComponent(`${SIM},${REF}`)}`);
    expect(init.headers).toMatchObject({ accept: 'application/zip', authorization: 'Bearer k-123' });
    expect(await downloadZip(sweepZip(SWEEP), 'sweep.zip')).toBe('sweep has no finished child yet');
    expect(String(fetch.mock.calls[1][0])).toBe(`/v1/sweeps/${SWEEP}/export.zip`);
  });
});
