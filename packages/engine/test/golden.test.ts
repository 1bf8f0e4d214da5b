// The golden cases of shared/golden/gd-cases.json on every kernel available here.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { availableKernels, points, runAll, spec } from './helpers.ts';

// The repository's copy (shared/ inside the checkout) first; the lab's original beside the checkout otherwise.
const file = [process.env.MFSIM_GOLDEN, '../../../shared/golden/gd-cases.json', '../../../../shared/golden/gd-cases.json']
  .filter((f): f is string => f !== undefined)
  .map((f) => (f.startsWith('.') ? fileURLToPath(new URL(f, import.meta.url)) : f))
  .find((f) => existsSync(f));
if (!file) throw new Error('shared/golden/gd-cases.json not found (set MFSIM_GOLDEN)');
const cases = JSON.parse(readFileSync(file, 'utf8')) as {
  spec: Parameters<typeof spec>[0];
  expected: { steps: number[]; trainLoss: number[]; testLoss: number[] };
}[];

const relative = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('golden gd cases', async () => {
  const kernels = await availableKernels();
  for (const kernel of kernels) {
    for (const c of cases) {
      it(`${c.spec.name} on ${kernel.name} to 1e-3`, async () => {
        const s = spec(c.spec);
        const result = await runAll(s, s.seed ?? 0, { kernel });
        const byStep = new Map(points(result).map((p) => [p.step, p]));
        expect([...byStep.keys()]).toEqual(c.expected.steps);
        c.expected.steps.forEach((step, i) => {
          const p = byStep.get(step)!;
          expect(relative(p.trainLoss!, c.expected.trainLoss[i])).toBeLessThan(1e-3);
          expect(relative(p.testLoss!, c.expected.testLoss[i])).toBeLessThan(1e-3);
        });
      });
    }
  }
});

const labOriginal = fileURLToPath(new URL('../../../../shared/golden/gd-cases.json', import.meta.url));
describe.skipIf(!existsSync(labOriginal) || labOriginal === file)('the repository copy of the golden cases', () => {
  it('equals the lab original beside the checkout', () => {
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(readFileSync(labOriginal, 'utf8')));
  });
});
