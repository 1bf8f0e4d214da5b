// The GPU host's checks, bundled with the kernel tests by ../gpu-pack.sh and run by ../gpu-check.sh:
// the golden cases of shared/golden/gd-cases.json on `cuda` (relative error 1e-3), then the kernel
// tests of test/native.test.ts (their CUDA block checks forward and step against a float64
// reference, and the native kernel's, on the same shapes). Exit code: the number of failures.
import { readFileSync } from 'node:fs';
import { specSchema } from '@mfsim/contracts';
import { loadCudaKernel } from '../../src/kernels/cuda.ts';
import { simulate } from '../../src/simulate.ts';
import { runCollected } from './vitest-shim.ts';
import '../../test/native.test.ts';

const goldenFile = process.argv[2];
let failed = 0;
console.log(`golden cases on cuda (${goldenFile})`);
try {
  const kernel = loadCudaKernel();
  console.log(`  device: ${kernel.device}`);
  const cases = JSON.parse(readFileSync(goldenFile, 'utf8')) as { spec: unknown; expected: { steps: number[]; trainLoss: number[]; testLoss: number[] } }[];
  for (const c of cases) {
    const s = specSchema.parse(c.spec);
    const byStep = new Map<number, { trainLoss: number | null; testLoss: number | null }>();
    for await (const chunk of await simulate(s, s.seed ?? 0, { kernel })) for (const p of chunk.points) byStep.set(p.step, p);
    let worst = 0;
    c.expected.steps.forEach((step, i) => {
      const p = byStep.get(step);
      for (const [got, want] of [[p?.trainLoss, c.expected.trainLoss[i]], [p?.testLoss, c.expected.testLoss[i]]] as const) {
        worst = Math.max(worst, got == null ? Infinity : Math.abs(got - want) / Math.abs(want));
      }
    });
    const ok = worst < 1e-3;
    if (!ok) failed++;
    console.log(`  ${ok ? 'pass' : 'FAIL'}  ${(c.spec as { name?: string }).name ?? 'case'}: worst relative error ${worst.toExponential(2)} (limit 1e-3)`);
  }
} catch (err) {
  failed++;
  console.log(`  FAIL  cuda kernel unavailable: ${(err as Error).message}`);
}
console.log('kernel tests (test/native.test.ts)');
failed += await runCollected();
console.log(failed ? `${failed} check(s) failed` : 'all checks passed');
process.exitCode = Math.min(failed, 100);
