// The lab's reference kernels (shared/golden/kernels.json) to 1e-6 relative, for every unit there.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { specSchema } from '@mfsim/contracts';
import { describe, expect, it } from 'vitest';
import { limitKernel } from '../src/kernels.ts';

// The repository's copy (shared/ inside the checkout) first; the lab's original beside the checkout otherwise.
const file = [process.env.MFSIM_GOLDEN_KERNELS, '../../../shared/golden/kernels.json', '../../../../shared/golden/kernels.json']
  .filter((f): f is string => f !== undefined)
  .map((f) => (f.startsWith('.') ? fileURLToPath(new URL(f, import.meta.url)) : f))
  .find((f) => existsSync(f));
if (!file) throw new Error('shared/golden/kernels.json not found (set MFSIM_GOLDEN_KERNELS)');
const golden = JSON.parse(readFileSync(file, 'utf8')) as {
  d: number;
  cases: { unit: 'tanh' | 'sigmoid' | 'relu' | 'erf'; x: number[]; xPrime: number[]; nngp: number; ntk: number }[];
};

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('golden kernels', () => {
  for (const [i, c] of golden.cases.entries()) {
    it(`${c.unit} case ${i}: K and Theta to 1e-6`, () => {
      const spec = specSchema.parse({
        inputs: { kind: 'gaussian', d: golden.d },
        target: { kind: 'p-spin', p: 1 },
        student: { unit: c.unit, width: 8 },
        training: { dynamics: 'gd', dt: 0.1, steps: 1 },
        record: { every: 1 },
      });
      const kernel = limitKernel(spec, golden.d);
      const pair = kernel.matrices(c.x, 1, c.xPrime, 1);
      expect(relative(pair.nngp[0], c.nngp)).toBeLessThan(1e-6);
      expect(relative(pair.ntk[0], c.ntk)).toBeLessThan(1e-6);
      // the Gram-matrix path (shared rows, symmetric fill) gives the same numbers
      const both = kernel.matrices([...c.x, ...c.xPrime], 2, [...c.x, ...c.xPrime], 2);
      expect(relative(both.nngp[1], c.nngp)).toBeLessThan(1e-6);
      expect(relative(both.ntk[2], c.ntk)).toBeLessThan(1e-6);
    });
  }
});

const labOriginal = fileURLToPath(new URL('../../../../shared/golden/kernels.json', import.meta.url));
describe.skipIf(!existsSync(labOriginal) || labOriginal === file)('the repository copy of the golden kernels', () => {
  it('equals the lab original beside the checkout', () => {
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(readFileSync(labOriginal, 'utf8')));
  });
});
