// `mfsim run`: a spec (or sweep) file run to its end, in this process with --local, else by the service.
import { basename, extname, join } from 'node:path';
import { readSpecFile } from '../spec-file.ts';
import type { SpecInput, SweepRequest } from '@mfsim/client';
import { parseDataset, runLocal, type LocalRunOptions } from '../local/run-local.ts';
import { runLocalSweep } from '../local/sweep-local.ts';
import { runSummary, slug, sweepSummary, writeRun, writeSweep } from '../local/outputs.ts';
import { ProgressBar } from '../progress-bar.ts';
import { int, positional, str, UsageError, type Command } from '../command.ts';
import { describeSimulation, exitFor, followSimulation, followSweep } from './follow.ts';

const isSweep = (file: unknown) => Boolean(file && typeof file === 'object' && 'grid' in file && 'base' in file);

export const run: Command = {
  name: 'run',
  summary: 'run a spec or sweep file to its end: in this process with --local, else on the service',
  usage: [
    'run <spec.json|spec.yaml|sweep.yaml> --local [--out DIR] [--kernel K] [--seed N] [--dataset FILE] [--quiet]',
    'run <spec|sweep file> [--seed N]   (no --local: submit to the service and follow it to its end)',
  ],
  optionHelp: [
    '--local        run the engine here: no Postgres, Redis or API',
    '-o, --out DIR  with --local, where the trajectory and statistics go (JSON and CSV); default ./mfsim-out/<name>',
    '--kernel K     with --local, the kernel: auto, native, cuda, tfjs, tfjs-wasm, tfjs-cpu, reference (default env MFSIM_KERNEL, else auto)',
    '--seed N       override the spec\'s seed (same spec + seed + kernel = same numbers as the service)',
    '--dataset FILE with --local, the points of the stored dataset the spec names by inputs.datasetId',
    '               ({train: {x, y}, test?}, the file given to mfsim datasets upload): a local run cannot',
    '               fetch them, since the API sends back only a dataset\'s size',
    '-q, --quiet    no progress bar',
    'Exits 0 when every run completed, 1 otherwise.',
    'A sweep file is {name?, base: <spec>, grid: {"student.width": [...], ...}, replicas?}.',
  ],
  options: {
    local: { type: 'boolean' }, out: { type: 'string', short: 'o' }, kernel: { type: 'string' },
    seed: { type: 'string' }, quiet: { type: 'boolean', short: 'q' }, dataset: { type: 'string' },
  },
  json: 'with --local, one line {dir, status, seed, backend, runSeconds}; else the final simulation or sweep',
  remote: true,
  async run(ctx) {
    const path = positional(ctx, 0, 'spec or sweep file (JSON or YAML)');
    const file = await readSpecFile<Record<string, unknown>>(path);
    const seed = int(ctx.values.seed, '--seed');
    const kernel = str(ctx.values.kernel);
    const fileName = basename(path, extname(path));

    const datasetFile = str(ctx.values.dataset);
    if (!ctx.values.local) {
      if (datasetFile) throw new UsageError('--dataset is for --local runs; the service reads a stored dataset itself');
      const client = ctx.client();
      if (isSweep(file)) {
        const base = { ...(file.base as object), ...(seed !== undefined && { seed }) };
        const sweep = await client.sweeps.submit({ ...(file as SweepRequest), base });
        if (!ctx.values.json) ctx.out(`submitted sweep ${sweep.id} (${sweep.children.length} simulations)`);
        const final = await followSweep(client, sweep.id);
        ctx.out(ctx.values.json ? JSON.stringify(final, null, 2) : `sweep ${final.id}: ${final.status}${final.partial ? ' (partial)' : ''}`);
        return final.status === 'completed' ? 0 : 1;
      }
      const sim = await client.submit({ ...(file as SpecInput), ...(seed !== undefined && { seed }) });
      if (!ctx.values.json) ctx.out(`submitted ${sim.id} (seed ${sim.seed})`);
      const final = await followSimulation(ctx, client, sim.id);
      ctx.out(ctx.values.json ? JSON.stringify(final, null, 2) : describeSimulation(final));
      return exitFor(final.status);
    }

    const quiet = Boolean(ctx.values.quiet || ctx.values.json);
    let dataset: LocalRunOptions['dataset'];
    if (datasetFile) {
      const spec = (isSweep(file) ? file.base : file) as { inputs?: { datasetId?: unknown } } | undefined;
      if (spec?.inputs?.datasetId === undefined) throw new UsageError('--dataset is for a spec that names a stored dataset (inputs.datasetId)');
      const { train, test } = parseDataset(await readSpecFile(datasetFile));
      dataset = { train, test };
    }
    if (isSweep(file)) {
      let bar: ProgressBar | undefined;
      let total = 0;
      const sweep = await runLocalSweep(file, {
        kernel,
        dataset,
        seed,
        onPoint: (i, count, point) => {
          bar?.done();
          if (!quiet) bar = new ProgressBar(`[${i + 1}/${count}] ${Object.entries(point).map(([k, v]) => `${k.split('.').at(-1)}=${JSON.stringify(v)}`).join(' ')}`);
          total = 0;
        },
        onChunk: (c) => {
          total = c.totalSteps;
          bar?.update({ status: 'running', progress: c.toStep / c.totalSteps, stepsDone: c.toStep, totalSteps: total, ...lastLosses(c.points) });
        },
      });
      bar?.done();
      const dir = str(ctx.values.out) ?? join('mfsim-out', slug(sweep.request.name ?? fileName));
      await writeSweep(dir, sweep);
      if (ctx.values.json) return ctx.out(JSON.stringify({ dir, seconds: sweep.runSeconds, points: sweep.points.length }));
      ctx.out(sweepSummary(sweep));
      ctx.out(`\nwritten to ${dir}/ (sweep.json, points.csv, scaling.csv, points/*/)`);
      return sweep.points.every((p) => p.run.status === 'completed') ? 0 : 1;
    }

    const bar = quiet ? undefined : new ProgressBar(String(file.name ?? fileName));
    const result = await runLocal(file as never, {
      kernel,
      dataset,
      seed,
      onChunk: (c) => bar?.update({ status: 'running', progress: c.toStep / c.totalSteps, stepsDone: c.toStep, totalSteps: c.totalSteps, ...lastLosses(c.points) }),
    });
    bar?.update({ status: result.status, progress: 1 });
    bar?.done();
    const dir = str(ctx.values.out) ?? join('mfsim-out', slug(result.spec.name ?? fileName));
    const files = await writeRun(dir, result);
    if (ctx.values.json) {
      return ctx.out(JSON.stringify({ dir, status: result.status, seed: result.seed, backend: result.kernel.name, runSeconds: result.runSeconds }));
    }
    ctx.out(runSummary(result));
    ctx.out(`\nwritten to ${dir}/ (${files.join(', ')})`);
    return exitFor(result.status);
  },
};

/** Replica means of the last recorded losses in a chunk. */
function lastLosses(points: { step: number; trainLoss: number | null; testLoss: number | null }[]) {
  if (points.length === 0) return {};
  const step = Math.max(...points.map((p) => p.step));
  const at = points.filter((p) => p.step === step);
  const mean = (k: 'trainLoss' | 'testLoss') => {
    const v = at.map((p) => p[k]).filter((x): x is number => x !== null);
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  return { trainLoss: mean('trainLoss'), testLoss: mean('testLoss') };
}
