import { describe, expect, it } from 'vitest';
import { extrapolateMeanField, replicaMeanOutputs } from '../src/index.ts';

describe('replicaMeanOutputs', () => {
  it('averages each probe over the finite replicas', () => {
    // [R = 2, probes = 2]: probe 0 = (1 + 3) / 2 = 2; probe 1 = 2 (the NaN is dropped)
    expect(Array.from(replicaMeanOutputs([1, 2, 3, NaN], 2))).toEqual([2, 2]);
  });
});

describe('extrapolateMeanField', () => {
  it('takes the intercept of the mean output against 1/n', () => {
    // widths 1, 2: x = 1/n = 1, 0.5; outputs 3, 2: slope = (3 - 2) / (1 - 0.5) = 2
    // intercept = 3 - 2 * 1 = 1
    const e = extrapolateMeanField([1, 2], [[3], [2]]);
    expect(e.outputs[0]).toBeCloseTo(1, 14);
    expect(e.slopes[0]).toBeCloseTo(2, 14);
  });

  it('recovers known intercepts per probe, skipping missing means', () => {
    const widths = [16, 32, 64, 128];
    const limit = [0.3, -1.2, 0];
    const correction = [4, -2, 10];
    const means = widths.map((n) => limit.map((f, j) => f + correction[j] / n));
    means[2][1] = NaN;
    const e = extrapolateMeanField(widths, means);
    expect(e.reason).toBeNull();
    e.outputs.forEach((v, j) => expect(v).toBeCloseTo(limit[j], 12));
    e.slopes.forEach((v, j) => expect(v).toBeCloseTo(correction[j], 10));
  });

  it('needs 2 widths', () => {
    const e = extrapolateMeanField([16], [[0.1, 0.2]]);
    expect(e.outputs).toEqual([null, null]);
    expect(e.reason).toMatch(/2 distinct widths/);
  });
});
