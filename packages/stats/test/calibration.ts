// What the calibration tests of the paired (GLS) fits share: p-values of many synthetic sweeps
// checked against a uniform law, within bounds the test states.
import { expect } from 'vitest';

/** Fraction of values below t. */
export const below = (values: readonly number[], t: number) => values.filter((v) => v < t).length / values.length;

/** The fractions of p below 0.05 and below 0.5 lie in the given open ranges. */
export function expectNearUniform(pValues: readonly number[], at05: [number, number], at5: [number, number]) {
  expect(below(pValues, 0.05)).toBeGreaterThan(at05[0]);
  expect(below(pValues, 0.05)).toBeLessThan(at05[1]);
  expect(below(pValues, 0.5)).toBeGreaterThan(at5[0]);
  expect(below(pValues, 0.5)).toBeLessThan(at5[1]);
}
