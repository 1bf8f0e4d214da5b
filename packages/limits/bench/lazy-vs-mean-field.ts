// The report of examples/lazy-vs-mean-field.yaml: every grid point run here (the engine, no
// servers), against the infinite-width NTK curve of the same problem (predictLimits on the `ntk`
// spec: same seed, so the same training set, test set and teacher as every run).
// Per width and parameterisation: the replicas' mean test loss m_n(t) at each recorded step, the
// relative gap (m_n - L_ntk) / L_ntk with its standard error (sample SE over replicas), and for the
// `ntk` runs a weighted fit of log |gap| against log n (delta-method errors) with its reduced
// chi-square, p-value and the local slopes between neighbouring widths: the rate at which the lazy
// runs reach their limit. The `mean-field` rows show the same gap for runs whose limit is not the NTK.
//   npx tsx packages/limits/bench/lazy-vs-mean-field.ts [examples/lazy-vs-mean-field.yaml] [--kernel=native]
import { readFileSync } from 'node:fs';
import { specSchema, type SpecInput } from '@mfsim/contracts';
import { selectKernel, simulate } from '@mfsim/engine';
import { estimateOf, weightedLeastSquares } from '@mfsim/stats';
import { parse as parseYaml } from 'yaml';
import { predictLimits } from '../src/predict.ts';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--')) ?? 'examples/lazy-vs-mean-field.yaml';
const kernelName = args.find((a) => a.startsWith('--kernel='))?.split('=')[1];
const sweep = parseYaml(readFileSync(file, 'utf8')) as { name: string; base: SpecInput; grid: Record<string, unknown[]> };

function withPath(spec: SpecInput, path: string, value: unknown): SpecInput {
  const out = structuredClone(spec) as Record<string, unknown>;
  const keys = path.split('.');
  let node = out;
  for (const key of keys.slice(0, -1)) node = (node[key] ??= {}) as Record<string, unknown>;
  node[keys.at(-1)!] = value;
  return out as SpecInput;
}

const widths = sweep.grid['student.width'] as number[];
const parameterizations = sweep.grid['student.parameterization'] as ('ntk' | 'mean-field')[];
const { kernel } = await selectKernel(kernelName);
const limitSpec = specSchema.parse(withPath(withPath(sweep.base, 'student.parameterization', 'ntk'), 'student.width', widths[0]));
const limits = predictLimits(limitSpec, limitSpec.seed ?? 0);
const ntk = limits.ntk!;
console.log(`# ${sweep.name}: ${kernel.name} kernel; NTK curve on P = ${ntk.trainSize} (dt * lambda_max / P = ${ntk.stepTimesLargestRate.toFixed(3)})`);

interface Row { parameterization: string; n: number; steps: number[]; mean: number[]; se: number[]; count: number[]; seconds: number }
const rows: Row[] = [];
for (const parameterization of parameterizations) {
  for (const n of widths) {
    const spec = specSchema.parse(withPath(withPath(sweep.base, 'student.parameterization', parameterization), 'student.width', n));
    const t0 = performance.now();
    const points = [];
    for await (const chunk of await simulate(spec, spec.seed ?? 0, { kernel })) points.push(...chunk.points);
    const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
    const row: Row = { parameterization, n, steps, mean: [], se: [], count: [], seconds: (performance.now() - t0) / 1000 };
    for (const step of steps) {
      const values = points.filter((p) => p.step === step && typeof p.testLoss === 'number' && Number.isFinite(p.testLoss)).map((p) => p.testLoss as number);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, values.length - 1);
      row.mean.push(mean);
      row.se.push(Math.sqrt(variance / values.length));
      row.count.push(values.length);
    }
    rows.push(row);
    console.log(`ran ${parameterization} n = ${n}: ${row.seconds.toFixed(1)} s`);
  }
}

const predictedAt = (step: number) => {
  const i = ntk.steps.indexOf(step);
  return i >= 0 ? ntk.testLoss[i] : null;
};
const steps = rows[0].steps;
const shown = [steps[1], steps[Math.floor(steps.length / 2)], steps.at(-1)!];
console.log('\n# relative gap (m_n - L_ntk) / L_ntk ± its standard error, at three recorded steps');
console.log(`parameterization  n  replicas  ${shown.map((s) => `t = ${s} (L_ntk = ${predictedAt(s)?.toPrecision(4)})`).join('  ')}`);
const gapAt = (row: Row, step: number) => {
  const t = row.steps.indexOf(step);
  const L = predictedAt(step)!;
  return { gap: (row.mean[t] - L) / L, se: row.se[t] / L };
};
for (const row of rows) {
  const cells = shown.map((s) => {
    const { gap, se } = gapAt(row, s);
    return `${(100 * gap).toFixed(2)}% ± ${(100 * se).toFixed(2)}%`;
  });
  console.log(`${row.parameterization}  ${row.n}  ${row.count.at(-1)}  ${cells.join('  ')}`);
}

console.log('\n# ntk runs: |gap| against n, weighted fit of log |gap| = a + s log n (delta-method errors)');
for (const step of shown) {
  const points = rows.filter((r) => r.parameterization === 'ntk').map((r) => ({ n: r.n, ...gapAt(r, step) }));
  const usable = points.filter((p) => Math.abs(p.gap) > 2 * p.se);
  const note = usable.length < points.length ? ` (left out, |gap| < 2 SE: n = ${points.filter((p) => !usable.includes(p)).map((p) => p.n).join(', ')})` : '';
  const fit = usable.length >= 2 ? weightedLeastSquares(usable.map((p) => [1, Math.log(p.n)]), usable.map((p) => Math.log(Math.abs(p.gap))), usable.map((p) => p.se / Math.abs(p.gap))) : null;
  if (!fit) {
    console.log(`t = ${step}: fewer than 2 widths with |gap| > 2 SE${note}`);
    continue;
  }
  const slope = estimateOf(fit, 1, 0.95);
  const g = fit.goodness;
  const local = usable.slice(1).map((p, i) => (Math.log(Math.abs(p.gap)) - Math.log(Math.abs(usable[i].gap))) / (Math.log(p.n) - Math.log(usable[i].n)));
  console.log(`t = ${step}: exponent ${slope.value.toFixed(2)} (95% ${slope.lower.toFixed(2)} .. ${slope.upper.toFixed(2)}) over n = ${usable.map((p) => p.n).join(', ')}; chi2/dof = ${g.reducedChiSquare?.toFixed(2) ?? 'n/a (2 points)'}, p = ${g.pValue?.toPrecision(2) ?? 'n/a'}; local slopes ${local.map((v) => v.toFixed(2)).join(', ')}${note}`);
}
