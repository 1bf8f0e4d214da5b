// `mfsim limits`: the infinite-width predictions for a spec file, computed here (no servers).
import { readSpecFile } from '../spec-file.ts';
import { parseSpec } from '../local/run-local.ts';
import { localLimits } from '../local/limits.ts';
import { sampleIndices, table } from '../table.ts';
import { int, positional, type Command } from '../command.ts';

interface Printed {
  prediction: null | {
    parameterization: string; outputScale: number; notes: string[];
    t0: { probeNngp: number[]; expectedTestLoss: number };
    ntk: null | { steps: number[]; times: number[]; trainLoss: (number | null)[]; testLoss: (number | null)[]; trainSize: number; sample: string };
  };
  unavailable?: { field: string; message: string };
}

export const limits: Command = {
  name: 'limits',
  summary: 'the infinite-width limits of a spec file (NNGP at t = 0, the NTK curve for ntk gd), computed here',
  usage: ['limits <spec.json|spec.yaml> [--seed N] [--reference-size N] [--csv]'],
  optionHelp: [
    '--seed N            the seed whose training set, test set and probes to use (default the spec\'s, else 0)',
    '--reference-size N  sgd: the reference sample of the input law (default 4096)',
    '--csv               print the CSV (one row per recorded step, one per probe)',
    'Exits 1 when the spec has no kernel (the field is named) or its training set is too large.',
  ],
  options: { seed: { type: 'string' }, 'reference-size': { type: 'string' }, csv: { type: 'boolean' } },
  async run(ctx) {
    const spec = parseSpec(await readSpecFile(positional(ctx, 0, 'spec file (JSON or YAML)')));
    const seed = int(ctx.values.seed, '--seed') ?? spec.seed ?? 0;
    const result = localLimits(spec, seed, undefined, { referenceSize: int(ctx.values['reference-size'], '--reference-size'), oversize: 'throw' });
    const printed = result.json as Printed;
    if (ctx.values.json) ctx.out(JSON.stringify(result.json, null, 2));
    else if (ctx.values.csv) ctx.out(result.csv.trimEnd());
    if (!printed.prediction) {
      ctx.err(printed.unavailable!.message);
      return 1;
    }
    if (ctx.values.json || ctx.values.csv) return 0;
    const p = printed.prediction;
    const k = p.t0.probeNngp;
    ctx.out(`${p.parameterization}: NNGP K(x, x) over ${k.length} probes: mean ${(k.reduce((a, b) => a + b, 0) / Math.max(1, k.length)).toPrecision(4)} ` +
      `(Var f at t = 0 = ${p.outputScale === 1 ? 'K' : `K / ${Math.round(1 / p.outputScale)}`}); expected test loss at t = 0: ${p.t0.expectedTestLoss.toPrecision(4)}`);
    if (p.ntk) {
      const ntk = p.ntk;
      ctx.out(`NTK curve (${ntk.sample}, ${ntk.trainSize} points):`);
      ctx.out(table(['step', 'time', 'train loss', 'test loss'], sampleIndices(ntk.steps.length, 12).map((i) => [ntk.steps[i], ntk.times[i], ntk.trainLoss[i], ntk.testLoss[i]])));
    }
    for (const note of p.notes) ctx.out(`note: ${note}`);
    return 0;
  },
};
