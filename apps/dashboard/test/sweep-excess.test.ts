// @vitest-environment happy-dom
// The sweep page of a sweep with a reference run: the excess m_n - L_ref against n beside the plain
// scaling, with its exponent, fit quality and L_ref; a sweep without one shows no excess part.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { excessText, sweepPage } from '../src/client/pages/sweep.ts';

const SWEEP = '00000000-0000-4000-8000-000000000001';
const SIM = '00000000-0000-4000-8000-000000000002';
const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

const excess = {
  alpha: 1.12, logIntercept: 0.4, standardError: 0.1, interval: { lower: 0.73, upper: 1.76, level: 0.95, resamples: 1000 }, joint: true,
  goodness: { chiSquare: 0.23, degreesOfFreedom: 2, reducedChiSquare: 0.116, pValue: 0.89, passes: true }, powerLaw: 'consistent',
  verdict: 'consistent with a power law', localSlopes: [{ fromWidth: 16, toWidth: 32, alpha: 1.23, standardError: 0.3 }],
  points: [{ width: 16, meanLoss: 4.1e-4, standardError: 1.2e-4, count: 8 }, { width: 32, meanLoss: 1.75e-4, standardError: 5.2e-5, count: 8 }],
  excludedWidths: [64], nonPositiveWidths: [64], reference: { width: 2048, meanLoss: 6.747e-4, standardError: 7.3e-6, count: 8 }, reason: null, intervalReason: null,
};
const scaling = (withExcess: boolean) => ({
  step: 200, time: 40, alpha: 0.149, logIntercept: -6.9, interval: { lower: 0.07, upper: 0.21, level: 0.95, resamples: 1000 },
  points: [{ width: 16, meanLoss: 1.08e-3, count: 8 }, { width: 32, meanLoss: 8.5e-4, count: 8 }, { width: 64, meanLoss: 7.4e-4, count: 8 }],
  excludedWidths: [], missingWidths: [], partial: false, reason: null, intervalReason: null, saturating: null,
  excess: withExcess ? excess : null,
});
const row = (meanLoss: number) => ({ step: 200, time: 40, meanLoss, lossVariance: 1e-8, standardError: 1e-4, count: 8, dropped: 0, unstable: 0, fluctuation: null, meanOutputVariance: null, excessKurtosis: null, excessKurtosisError: null, fourPoint: null, probes: 0 });

function serve(withReference: boolean) {
  const sweep = {
    id: SWEEP, name: 'ref', status: 'completed', progress: 1, base: {}, grid: { 'student.width': [16, 32, 64] }, replicas: 8, seed: 3,
    reference: withReference ? { width: 2048, replicas: 8 } : null, partial: false, counts: { completed: 4 }, scheduleId: null, createdAt: '2026-12-03T00:00:00Z', finishedAt: null,
    missing: [], children: [],
  };
  const statistics = {
    sweepId: SWEEP, status: 'completed', partial: false,
    series: [{
      series: {}, widths: [16, 32, 64], missingWidths: [], partial: false,
      byWidth: [16, 32, 64].map((width) => ({ width, simulationId: SIM, status: 'completed', rows: [row(1e-3)] })),
      reference: withReference ? { width: 2048, simulationId: SIM, status: 'completed', rows: [row(6.7e-4)] } : null,
      scaling: [scaling(withReference)], extrapolation: [],
    }],
  };
  vi.stubGlobal('fetch', vi.fn(async (url: string) => {
    const path = String(url);
    if (path.endsWith('/statistics')) return json(statistics);
    if (path.includes('/events')) return json({ statusCode: 404, error: 'Not Found', message: 'no' }, 404);
    if (path.startsWith(`/v1/sweeps/${SWEEP}`)) return json(sweep);
    return json({ items: [], nextCursor: null });
  }));
}

let root: HTMLElement;
beforeEach(() => {
  document.body.replaceChildren();
  root = document.createElement('main');
  document.body.append(root);
});
afterEach(() => vi.unstubAllGlobals());

describe('the sweep page with a reference run', () => {
  it('shows the excess scaling beside the plain one, with its fit quality and L_ref', async () => {
    serve(true);
    const stop = sweepPage(root, SWEEP);
    await until(() => !!root.querySelector('[data-testid="excess-exponent"]')?.textContent);
    expect(root.querySelector('[data-testid="exponent"]')!.textContent).toMatch(/^α = 0\.149/);
    expect(root.querySelector('[data-testid="excess-exponent"]')!.textContent).toMatch(/^Excess m_n − L_ref: α = 1\.12, 95% interval \[0\.73, 1\.76\]/);
    const quality = root.querySelector('[data-testid="excess-fit-quality"]')!.textContent!;
    expect(quality).toMatch(/consistent with a power law: χ²\/dof = 0\.116, p = 0\.89/);
    expect(quality).toMatch(/L_ref = \S+ ± \S+ \(n = 2048, 8 replicas\)/);
    expect(quality).toMatch(/left out \(loss not above L_ref\): n = 64/);
    // the second chart sits next to the plain one
    const charts = [...root.querySelectorAll('.chart-grid [data-chart]')].map((c) => c.getAttribute('data-chart'));
    expect(charts.slice(0, 2)).toEqual(['scaling', 'excess-scaling']);
    stop();
  });

  it('shows no excess part for a sweep without a reference', async () => {
    serve(false);
    const stop = sweepPage(root, SWEEP);
    await until(() => !!root.querySelector('[data-testid="exponent"]')?.textContent);
    expect(root.querySelector('[data-testid="excess-exponent"]')).toBeNull();
    expect(root.querySelector('[data-chart="excess-scaling"]')).toBeNull();
    stop();
  });

  it('says why there is no exponent when the excess cannot be fitted', () => {
    const t = excessText({ ...excess, alpha: null, interval: null, goodness: null, powerLaw: null, localSlopes: [], reason: 'needs at least 2 widths' });
    expect(t.exponent).toBe('Excess m_n − L_ref: no exponent: needs at least 2 widths');
  });
});
