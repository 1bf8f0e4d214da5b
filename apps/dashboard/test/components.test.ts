// @vitest-environment happy-dom
// The page's parts in a DOM, with fetch replaced: what a user would see and what is sent.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { session } from '../src/client/api.ts';
import { live } from '../src/client/live.ts';
import { newPage } from '../src/client/pages/new.ts';
import { signInPage } from '../src/client/pages/sign-in.ts';
import { simulationsPage } from '../src/client/pages/simulations.ts';
import { exponentText, fitQualityText } from '../src/client/pages/sweep.ts';
import { scheduleForm } from '../src/client/pages/schedules.ts';
import { simulationActions } from '../src/client/pages/simulation.ts';
import { scheduleFieldFor, validateSchedule } from '../src/client/schedule-form.ts';
import { extrapolationAt, extrapolationLine, lossSeries, particlePoints, readExtrapolation, readSnapshot, trajectoryCsv } from '../src/client/series.ts';
import { defaultValues, SWEEP_WIDTHS, validate } from '../src/client/spec-form.ts';

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const tick = () => new Promise((r) => setTimeout(r, 0));
const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

let root: HTMLElement;
beforeEach(() => {
  localStorage.clear();
  document.body.replaceChildren();
  root = document.createElement('main');
  document.body.append(root);
});
afterEach(() => vi.unstubAllGlobals());

function simulation(id: string, status: string, progress: number) {
  return {
    id, name: `run ${id.slice(0, 4)}`, tags: [], status, progress, stepsDone: 0, seed: 1,
    spec: { replicas: 2, student: { width: 32 }, training: { steps: 100 }, record: { snapshots: [] }, inputs: { kind: 'gaussian', d: 4 } },
    backend: 'native', device: 'cpu', error: null, divergedAtStep: null, sweepId: null,
    createdAt: '2026-01-01T00:00:00.000Z', startedAt: null, finishedAt: null, runSeconds: 1.5,
  };
}

describe('submit form', () => {
  it('shows each schema error at its field and sends nothing', async () => {
    const fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
    newPage(root, new URLSearchParams(), () => {});
    const width = root.querySelector<HTMLInputElement>('input[name="student.width"]')!;
    width.value = 'wide';
    width.dispatchEvent(new Event('input'));
    const dt = root.querySelector<HTMLInputElement>('input[name="training.dt"]')!;
    dt.value = '-1';
    dt.dispatchEvent(new Event('input'));
    root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    expect(root.querySelector('[data-for="student.width"]')!.textContent).toMatch(/number/i);
    expect(root.querySelector('[data-for="training.dt"]')!.textContent).toMatch(/>\s*0|positive|too small/i);
    expect(root.querySelector('.field[data-path="training.dt"]')!.classList.contains('invalid')).toBe(true);
    expect(root.querySelector('[data-for="training.steps"]')!.textContent).toBe('');
    // Nothing submitted: no request but the read of the key's role.
    expect(fetch.mock.calls.map(([url, init]) => `${(init as RequestInit | undefined)?.method ?? 'GET'} ${String(url)}`).filter((c) => c !== 'GET /v1/projects')).toEqual([]);
  });

  it('warns when dt looks too large for the smallest width, and not otherwise', () => {
    vi.stubGlobal('fetch', vi.fn());
    newPage(root, new URLSearchParams(), () => {});
    const warning = root.querySelector<HTMLElement>('[data-testid="dt-warning"]')!;
    expect(warning.hidden).toBe(true); // defaults: n = 64, dt = 0.2
    const dt = root.querySelector<HTMLInputElement>('input[name="training.dt"]')!;
    dt.value = '0.5';
    dt.dispatchEvent(new Event('input', { bubbles: true }));
    expect(warning.hidden).toBe(false);
    expect(warning.textContent).toMatch(/dt = 0.5 looks too large for width n = 64/);
    const width = root.querySelector<HTMLInputElement>('input[name="student.width"]')!;
    width.value = '256';
    width.dispatchEvent(new Event('input', { bubbles: true }));
    expect(warning.hidden).toBe(true);
  });

  it('places a cross-field rule at the field it names (batchSize for sgd)', () => {
    const r = validate('simulation', { ...defaultValues(), 'training.batchSize': '' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path)).toContain('training.batchSize');
  });

  it('checks a sweep at every width and names the bad one', () => {
    const r = validate('sweep', { ...defaultValues(), 'sweep.widths': '16, 0, 64' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues).toEqual([expect.objectContaining({ path: 'sweep.widths', message: expect.stringContaining('n = 0') })]);
    const ok = validate('sweep', defaultValues());
    expect(ok.ok && ok.body.grid).toEqual({ 'student.width': [16, 32, 64, 128] });
  });

  it('puts the API’s 400 issues at their fields too', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ statusCode: 400, error: 'Bad Request', message: 'invalid', issues: [{ path: 'record.testSize', message: 'too large for this worker' }] }, 400)));
    newPage(root, new URLSearchParams(), () => {});
    root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await until(() => root.querySelector('[data-for="record.testSize"]')!.textContent !== '');
    expect(root.querySelector('[data-for="record.testSize"]')!.textContent).toBe('too large for this worker');
  });
});

describe('sign-in', () => {
  it('keeps a key the API accepts and sends it as a bearer token', async () => {
    const fetch = vi.fn(async () => json({ items: [], nextCursor: null }));
    vi.stubGlobal('fetch', fetch);
    const go = vi.fn();
    signInPage(root, go);
    root.querySelector<HTMLInputElement>('#api-key')!.value = 'mfsim_secret';
    root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await until(() => go.mock.calls.length > 0);
    expect(go).toHaveBeenCalledWith('#/simulations');
    expect(session.key()).toBe('mfsim_secret');
    const init = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect((init[1].headers as Record<string, string>).authorization).toBe('Bearer mfsim_secret');
  });

  it('says so when the key is refused, and signs in without a key when auth is off', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ statusCode: 401, error: 'Unauthorized', message: 'no' }, 401)));
    const go = vi.fn();
    signInPage(root, go);
    root.querySelector<HTMLInputElement>('#api-key')!.value = 'wrong';
    root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await until(() => root.querySelector('[data-for="apiKey"]')!.textContent !== '');
    expect(root.querySelector('[data-for="apiKey"]')!.textContent).toMatch(/not valid/);
    expect(session.signedIn()).toBe(false);

    vi.stubGlobal('fetch', vi.fn(async () => json({ items: [], nextCursor: null })));
    root.querySelector<HTMLInputElement>('#api-key')!.value = '';
    root.querySelector('form')!.dispatchEvent(new Event('submit', { cancelable: true }));
    await until(() => go.mock.calls.length > 0);
    expect(session.signedIn()).toBe(true);
  });
});

describe('simulation list', () => {
  it('shows status and progress, and pages with the cursor', async () => {
    const urls: string[] = [];
    vi.stubGlobal('fetch', vi.fn(async (url: string) => {
      urls.push(url);
      return url.includes('cursor=c2')
        ? json({ items: [simulation('22222222-0000-4000-8000-000000000000', 'completed', 1)], nextCursor: null })
        : json({ items: [simulation('11111111-0000-4000-8000-000000000000', 'completed', 1), simulation('33333333-0000-4000-8000-000000000000', 'failed', 0.4)], nextCursor: 'c2' });
    }));
    const stop = simulationsPage(root, new URLSearchParams('status=completed'), () => {});
    await until(() => root.querySelectorAll('tbody tr').length === 2);
    expect(urls[0]).toContain('status=completed');
    expect([...root.querySelectorAll('[data-status]')].map((e) => e.textContent)).toEqual(['completed', 'failed']);
    expect(root.querySelectorAll('[role="progressbar"]')[1].getAttribute('aria-valuenow')).toBe('40');
    root.querySelector<HTMLButtonElement>('[data-testid="next-page"]')!.click();
    await until(() => root.querySelectorAll('tbody tr').length === 1);
    expect(urls.at(-1)).toContain('cursor=c2');
    stop?.();
  });
});

describe('live updates', () => {
  it('polls when the events route answers 404, and stops when final', async () => {
    const statuses = ['running', 'running', 'completed'];
    vi.stubGlobal('fetch', vi.fn(async () => json({ statusCode: 404, error: 'Not Found', message: 'no route' }, 404)));
    const seen: string[] = [];
    let reads = 0;
    const handle = live({
      eventsPath: '/v1/simulations/x/events',
      read: async () => statuses[Math.min(reads++, 2)],
      onUpdate: (s) => seen.push(s),
      done: (s) => s === 'completed',
      pollMs: 5,
    });
    await until(() => handle.mode === 'stopped');
    expect(seen).toEqual(['running', 'running', 'completed']);
  });

  it('reads the event stream and re-reads the resource on each event', async () => {
    const stream = new ReadableStream({
      start(c) {
        c.enqueue(new TextEncoder().encode('id: 1\nevent: progress\ndata: {"progress":0.5}\n\n'));
        setTimeout(() => { c.enqueue(new TextEncoder().encode('id: 2\nevent: status\ndata: {"status":"completed"}\n\n')); c.close(); }, 20);
      },
    });
    vi.stubGlobal('fetch', vi.fn(async () => new Response(stream, { headers: { 'content-type': 'text/event-stream' } })));
    const values = ['queued', 'running', 'completed'];
    let reads = 0;
    const seen: string[] = [];
    const handle = live({ eventsPath: '/e', read: async () => values[Math.min(reads++, 2)], onUpdate: (v) => seen.push(v), done: (v) => v === 'completed', pollMs: 1000 });
    await until(() => handle.mode === 'stopped');
    expect(seen).toEqual(['queued', 'running', 'completed']);
  });
});

describe('series', () => {
  const points = [
    { replica: 0, step: 0, time: 0, trainLoss: 1, testLoss: 2, testError: null },
    { replica: 0, step: 10, time: 1, trainLoss: 0.5, testLoss: 1, testError: null },
    { replica: 1, step: 0, time: 0, trainLoss: 3, testLoss: 2, testError: null },
    { replica: 1, step: 10, time: 1, trainLoss: null, testLoss: 3, testError: null },
  ];
  it('gives the replica mean and standard error at each time, skipping missing values', () => {
    const s = lossSeries(points, 'testLoss');
    expect(s.times).toEqual([0, 1]);
    expect(s.mean).toEqual([2, 2]);
    expect(s.standardError[0]).toBe(0);
    expect(s.standardError[1]).toBeCloseTo(Math.sqrt(2 / 2)); // var 2, n 2
    const train = lossSeries(points, 'trainLoss');
    expect(train.mean[1]).toBe(0.5);
    expect(train.standardError[1]).toBeNull();
  });
  it('exports CSV with empty cells for missing values', () => {
    expect(trajectoryCsv(points).split('\n')[4]).toBe('1,10,1,,3,');
  });
  it('reads flat snapshots and projects w', () => {
    const snap = readSnapshot({ step: 5, replicas: 1, width: 2, d: 2, c: [1, -1], w: [3, 4, 0, 2] });
    expect(particlePoints(snap, null)[0]).toEqual([{ x: 5, y: 1 }, { x: 2, y: -1 }]);
    expect(particlePoints(snap, [0, 1])[0]).toEqual([{ x: 4, y: 1 }, { x: 2, y: -1 }]);
  });
  it('writes the exponent with its interval', () => {
    expect(exponentText({ alpha: 0.987, interval: { lower: 0.91, upper: 1.05, level: 0.95, resamples: 1000 }, reason: null }))
      .toBe('α = 0.987, 95% interval [0.91, 1.05]');
  });
  it('writes the fit quality, the local slopes and L_inf + a/n next to the exponent', () => {
    const goodness = { chiSquare: 30, degreesOfFreedom: 3, reducedChiSquare: 10, pValue: 1.4e-6, passes: false };
    const estimate = (value: number) => ({ value, standardError: 0.001, lower: value - 0.002, upper: value + 0.002, level: 0.95 });
    const text = fitQualityText({
      goodness, powerLaw: 'rejected',
      localSlopes: [{ fromWidth: 64, toWidth: 128, alpha: 0.57, standardError: 0.05 }, { fromWidth: 128, toWidth: 256, alpha: 1.4, standardError: 0.1 }],
      finiteWidth: { lInf: estimate(0.012), a: estimate(0.9), b: null, parameters: 2, goodness: { ...goodness, pValue: 0.4, passes: true }, widths: [64, 128, 256], reason: null },
    });
    expect(text).toContain('not a power law over these widths: χ²/dof = 10, p = 1.40e-6');
    expect(text).toContain('local slopes 64→128: 0.57, 128→256: 1.4');
    expect(text).toContain('L∞ + a/n: L∞ = 0.012 [0.01, 0.014], a = 0.9, p = 0.4');
    expect(text).not.toContain('paired');
    const paired = fitQualityText({ goodness, powerLaw: 'rejected', localSlopes: [], finiteWidth: undefined, covariance: 'paired', covarianceReason: null });
    expect(paired).toContain('χ²/dof = 10, p = 1.40e-6 · widths correlated through paired replicas (GLS)');
    const few = fitQualityText({ goodness, powerLaw: 'rejected', localSlopes: [], finiteWidth: undefined, covariance: 'independent', covarianceReason: '4 paired replicas are too few' });
    expect(few).toContain('widths fitted as independent (4 paired replicas are too few)');
  });
});

describe('simulation actions', () => {
  it('offers cancel while a run may still run, retry once it failed or was cancelled, nothing after success', () => {
    expect(simulationActions('queued')).toEqual(['cancel']);
    expect(simulationActions('running')).toEqual(['cancel']);
    expect(simulationActions('failed')).toEqual(['retry']);
    expect(simulationActions('cancelled')).toEqual(['retry']);
    expect(simulationActions('completed')).toEqual([]);
    expect(simulationActions('diverged')).toEqual([]);
  });
});

describe('the schedule form', () => {
  const spec = () => ({ ...defaultValues(), [SWEEP_WIDTHS]: '8, 16, 32' });

  it('builds the POST /v1/schedules body from the pattern, time zone and sweep template', () => {
    const r = validateSchedule({ name: ' nightly ', pattern: '0 3 * * *', timeZone: 'Europe/Paris' }, spec());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.body).toMatchObject({ name: 'nightly', pattern: '0 3 * * *', timeZone: 'Europe/Paris', sweep: { grid: { 'student.width': [8, 16, 32] } } });
  });

  it('puts each issue at its field: a bad pattern at the pattern, a bad width at the widths', () => {
    const r = validateSchedule({ name: '', pattern: 'every night', timeZone: '' }, { ...spec(), [SWEEP_WIDTHS]: '8, -1' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const placed = r.issues.map((i) => scheduleFieldFor(i.path, [SWEEP_WIDTHS, 'training.dt']));
    expect(placed).toContain('schedule.pattern');
    expect(placed).toContain(SWEEP_WIDTHS);
    // The API's own issue paths land on the same fields.
    expect(scheduleFieldFor('pattern', [])).toBe('schedule.pattern');
    expect(scheduleFieldFor('sweep.base.training.dt', ['training.dt'])).toBe('training.dt');
  });

  it('shows a bad pattern at its field and sends nothing', async () => {
    const fetchSpy = vi.fn();
    vi.stubGlobal('fetch', fetchSpy);
    const form = scheduleForm({ onCreated: () => {} });
    root.append(form);
    const pattern = form.querySelector<HTMLInputElement>('input[name="schedule.pattern"]')!;
    pattern.value = 'soon';
    form.dispatchEvent(new Event('submit', { cancelable: true }));
    await tick();
    expect(form.querySelector('[data-path="schedule.pattern"]')!.classList.contains('invalid')).toBe(true);
    expect(form.querySelector('[data-for="schedule.pattern"]')!.textContent).toMatch(/cron pattern/);
    expect(fetchSpy).not.toHaveBeenCalled();
  });
});

describe('the 1/n extrapolation of the outputs', () => {
  it('reads the stored rows and draws each probe from n = infinity to the smallest width', () => {
    const rows = readExtrapolation([
      { step: 10, time: 1, widths: [8, 32, 16], outputs: [0.5, null], slopes: [2, null], reason: null },
      { step: 0, time: 0, widths: [8, 16, 32], outputs: [0.1], slopes: [1], reason: null },
      'not a row',
    ]);
    expect(rows.map((r) => r.time)).toEqual([0, 1]);
    const at = extrapolationAt(rows, 0.9)!;
    expect(at.step).toBe(10);
    // y = 0.5 + 2/n at 1/n = 0, 1/32, 1/16, 1/8.
    expect(extrapolationLine(at, 0)).toEqual([{ x: 0, y: 0.5 }, { x: 1 / 32, y: 0.5625 }, { x: 1 / 16, y: 0.625 }, { x: 1 / 8, y: 0.75 }]);
    expect(extrapolationLine(at, 1)).toEqual([]);
  });
});
