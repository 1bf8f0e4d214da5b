import { describe, expect, it } from 'vitest';
import { createRandom, cltFluctuation } from '../src/index.ts';

describe('cltFluctuation', () => {
  it('normalises the mean replica variance by n alpha_n^2: n Var f (mean-field), Var f (ntk)', () => {
    // [R = 4, probes = 2]: probe 0: 1, 2, 3, 6 -> variance 14/3; probe 1: 0, 0, 2, 2 -> 4/3; mean 3
    const outputs = [1, 0, 2, 0, 3, 2, 6, 2];
    const mf = cltFluctuation(outputs, 4, 10, 'mean-field');
    expect(mf.meanVariance).toBeCloseTo(3, 14);
    expect(mf.fluctuation).toBeCloseTo(30, 13);
    expect(cltFluctuation(outputs, 4, 10, 'ntk').fluctuation).toBeCloseTo(3, 14);
    // unbiased G2 = k4 / k2^2; probe 1 (±1): n = 4, m2 = 1, m4 = 1: k4 = 16 (5 - 9) / 6 = -32/3, k2 = 4/3 -> -6
    // probe 0 (-2, -1, 0, 3): m2 = 3.5, m4 = 98 / 4 = 24.5: k4 = 16 (122.5 - 110.25) / 6 = 32.667, k2 = 14/3 -> 1.5
    expect(mf.excessKurtosis).toBeCloseTo((1.5 - 6) / 2, 12);
  });

  it('drops non-finite outputs and leaves out excluded replicas', () => {
    const f = cltFluctuation(new Float32Array([1, 5, NaN, 5, 3, 5]), 3, 4);
    expect(f.dropped).toBe(1);
    expect(f.meanVariance).toBeCloseTo(1, 14); // probe 0: 1, 3 -> 2; probe 1: no spread -> 0
    const g = cltFluctuation([1, 1, 3, 3, 100, 100], 3, 4, 'mean-field', [true, true, false]);
    expect(g.meanVariance).toBeCloseTo(2, 14);
  });

  it('gives nulls for one replica', () => {
    const f = cltFluctuation([0.1, 0.2, 0.3], 1, 64);
    expect(f).toMatchObject({ probesUsed: 0, meanVariance: null, fluctuation: null, excessKurtosis: null, fourPoint: null });
  });

  for (const R of [8, 64]) {
    it(`has no kurtosis bias for a Gaussian sample at R = ${R} (the plain estimator's would be ${(-6 / (R + 1)).toFixed(3)}), with an honest standard error`, () => {
      const random = createRandom(R);
      const probes = 16;
      const trials = R === 8 ? 3000 : 600;
      const values: number[] = [];
      const errors: number[] = [];
      for (let t = 0; t < trials; t++) {
        const outputs = Float64Array.from({ length: R * probes }, () => random.normal());
        const f = cltFluctuation(outputs, R, 100);
        values.push(f.excessKurtosis!);
        errors.push(f.excessKurtosisError!);
      }
      const mean = values.reduce((s, v) => s + v, 0) / trials;
      const sd = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / (trials - 1));
      expect(Math.abs(mean)).toBeLessThan(4 * (sd / Math.sqrt(trials)));
      expect(Math.abs(mean - -6 / (R + 1))).toBeGreaterThan(10 * (sd / Math.sqrt(trials)));
      // the jackknife error follows the spread of the estimate; it errs on the safe side at small R
      // (Efron-Stein: the jackknife variance is biased upward): 1.51x at R = 8, 1.0x at R = 64 here.
      const meanError = errors.reduce((s, v) => s + v, 0) / trials;
      expect(meanError / sd).toBeGreaterThan(R === 8 ? 1 : 0.85);
      expect(meanError / sd).toBeLessThan(R === 8 ? 1.7 : 1.2);
      console.log(`R = ${R}: mean G2 ${mean.toFixed(4)} (sd ${sd.toFixed(3)}), jackknife error / sd ${(meanError / sd).toFixed(3)}`);
    });
  }

  it('measures the kurtosis -2/n and connected 4-point function -2/n of a sum of n random signs', () => {
    // f(x_a) = n^-1/2 sum_i s_i, f(x_b) = n^-1/2 sum_i s_i t_i with t = (+1, -1, +1, -1): per unit
    // k(a,a,b,b) = E[s^4] - 1 - 2 t_i^2 = -2, k(a,b) = 0 -> ratio -2/n; kurtosis of each -2/n.
    // The ratio k4 / k2^2 has an O(1/R) bias proportional to the signal itself (not the additive
    // -6/(R+1)): at R = 256 it is a few percent of -0.5.
    const n = 4;
    const R = 256;
    const random = createRandom(11);
    let kurtosis = 0;
    let fourPoint = 0;
    const trials = 100;
    for (let trial = 0; trial < trials; trial++) {
      const outputs = new Float64Array(R * 2);
      for (let r = 0; r < R; r++) {
        for (let i = 0; i < n; i++) {
          const s = random.float() < 0.5 ? -1 : 1;
          outputs[r * 2] += s / Math.sqrt(n);
          outputs[r * 2 + 1] += (s * (i % 2 === 0 ? 1 : -1)) / Math.sqrt(n);
        }
      }
      const f = cltFluctuation(outputs, R, n, 'ntk');
      kurtosis += f.excessKurtosis! / trials;
      fourPoint += f.fourPoint! / trials;
    }
    console.log(`sum of ${n} signs: kurtosis ${kurtosis.toFixed(4)}, 4-point ${fourPoint.toFixed(4)} (both -0.5 in theory)`);
    expect(kurtosis).toBeGreaterThan(-0.55);
    expect(kurtosis).toBeLessThan(-0.45);
    expect(fourPoint).toBeGreaterThan(-0.55);
    expect(fourPoint).toBeLessThan(-0.45);
  });

  it('is the NNGP variance at step 0 for mean-field and ntk widths (erf units, arcsine kernel)', () => {
    // c ~ N(0, 1), w ~ N(0, I/d), |x|^2 = d: K(x, x) = E[c^2] E[erf(u)^2], u ~ N(0, 1) = (2/pi) asin(2/3)
    const K = (2 / Math.PI) * Math.asin(2 / 3);
    const d = 4;
    const x = [1, 1, 1, 1];
    const erf = (z: number) => {
      const t = 1 / (1 + 0.3275911 * Math.abs(z));
      const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
      return z >= 0 ? y : -y;
    };
    const random = createRandom(21);
    for (const parameterization of ['mean-field', 'ntk'] as const) {
      for (const n of [16, 256]) {
        const R = 2000;
        const alpha = parameterization === 'ntk' ? 1 / Math.sqrt(n) : 1 / n;
        const outputs = new Float64Array(R);
        for (let r = 0; r < R; r++) {
          let f = 0;
          for (let i = 0; i < n; i++) {
            let u = 0;
            for (let k = 0; k < d; k++) u += (random.normal() / Math.sqrt(d)) * x[k];
            f += random.normal() * erf(u);
          }
          outputs[r] = alpha * f;
        }
        const { fluctuation } = cltFluctuation(outputs, R, n, parameterization);
        // the sample variance of 2000 values is within 4 * sqrt(2/1999) ~ 13% (kurtosis at n = 16 adds a little)
        expect(fluctuation! / K).toBeGreaterThan(0.85);
        expect(fluctuation! / K).toBeLessThan(1.15);
      }
    }
  });
});
