// @vitest-environment happy-dom
// The limits card and the NTK curve of a simulation page, from a stored report.
import { describe, expect, it } from 'vitest';
import { limitsCard, ntkCurve, type StoredLimits } from '../src/client/limits-view.ts';

const report: StoredLimits = {
  prediction: { parameterization: 'ntk', notes: ['a note'], ntk: { times: [0, 1, 2], testLoss: [0.4, 0.2, 0.1], sample: 'training set', trainSize: 64 } },
  agreement: {
    nngp: { replicas: 8, probes: [{ predicted: 0.3, measured: 0.35, z: 0.31 }, { predicted: 0.2, measured: null, z: null }], pooled: { predicted: 0.25, measured: 0.3, standardError: 0.1, z: 0.5 } },
    ntk: [{ standardError: 0.01 }, { standardError: 0.001 }, { standardError: null }],
    ntkAgrees: true,
  },
};

describe('limits view', () => {
  it('the dashed curve carries the agreement band: 3 standard errors or 2%, whichever is wider', () => {
    const curve = ntkCurve(report)!;
    expect(curve.values).toEqual([0.4, 0.2, 0.1]);
    expect(curve.upper[0]).toBeCloseTo(0.43, 12);
    expect(curve.upper[1]).toBeCloseTo(0.204, 12);
    expect(curve.lower[2]).toBeCloseTo(0.098, 12);
    expect(ntkCurve({ ...report, prediction: { ...report.prediction!, ntk: null } })).toBeUndefined();
  });

  it('the card shows the NNGP check per probe, the pooled z and the notes', () => {
    const card = limitsCard(report);
    const rows = [...card.querySelectorAll('tbody tr')].map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent));
    expect(rows).toHaveLength(2);
    expect(rows[0][0]).toBe('0');
    expect(card.textContent).toMatch(/z = 0\.5/);
    expect(card.textContent).toMatch(/within it at every recorded step/);
    expect(card.textContent).toMatch(/a note/);
    expect(limitsCard({ prediction: null, agreement: null, unavailable: { field: 'inputs.kind', message: 'inputs.kind: no kernel' } }).textContent).toMatch(/inputs\.kind: no kernel/);
  });
});
