// What a local run leaves on disk and prints: the trajectory and statistics as JSON and CSV,
// and summary tables.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { STATISTICS_COLUMNS, TRAJECTORY_COLUMNS, toCsv } from '@mfsim/client';
import { sweepChildRole } from '@mfsim/contracts';
import { sampleIndices, table } from '../table.ts';
import type { LocalRun } from './run-local.ts';
import { localLimits } from './limits.ts';
import type { LocalSweep } from './sweep-local.ts';

/** A folder name from a spec name: lower case, dashes. */
export function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'run';
}

const json = (v: unknown) => JSON.stringify(v, null, 2) + '\n';

function runInfo(run: LocalRun) {
  return {
    name: run.spec.name ?? null,
    seed: run.seed,
    status: run.status,
    divergedAtStep: run.divergedAtStep,
    backend: run.kernel.name,
    device: run.kernel.device,
    runSeconds: run.runSeconds,
  };
}

/** Writes spec.json, run.json, trajectory.{json,csv}, statistics.{json,csv}, limits.{json,csv}; returns the file names. */
export async function writeRun(dir: string, run: LocalRun): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const files: Record<string, string> = {
    'spec.json': json(run.spec),
    'run.json': json(runInfo(run)),
    'trajectory.json': json({ points: run.points }),
    'trajectory.csv': toCsv(run.points, TRAJECTORY_COLUMNS),
    'statistics.json': json(run.statistics),
    'statistics.csv': toCsv(run.statistics.rows, STATISTICS_COLUMNS),
  };
  const limits = localLimits(run.spec, run.seed, run.records);
  files['limits.json'] = json(limits.json);
  files['limits.csv'] = limits.csv;
  await Promise.all(Object.entries(files).map(([name, text]) => writeFile(join(dir, name), text)));
  return Object.keys(files);
}

export function runSummary(run: LocalRun, rows = 10): string {
  const r = run.statistics.rows;
  const lines = [
    `${run.spec.name ?? 'simulation'}: ${run.status}${run.divergedAtStep !== null ? ` at step ${run.divergedAtStep}` : ''}, ` +
      `seed ${run.seed}, ${run.spec.replicas} replicas, n=${run.spec.student.width}, ` +
      `${run.kernel.name} (${run.kernel.device}), ${run.runSeconds.toFixed(2)} s`,
    table(
      ['step', 'time', 'mean train loss', 'mean test loss', 'std error', 'n * var f', 'test error'],
      sampleIndices(r.length, rows).map((i) => {
        const step = r[i].step;
        const at = run.points.filter((p) => p.step === step);
        return [step, r[i].time, meanOf(at.map((p) => p.trainLoss)), r[i].meanLoss, r[i].standardError, r[i].fluctuation, meanOf(at.map((p) => p.testError))];
      }),
    ),
  ];
  return lines.join('\n');
}

const meanOf = (v: (number | null)[]) => {
  const f = v.filter((x): x is number => typeof x === 'number');
  return f.length ? f.reduce((a, b) => a + b, 0) / f.length : null;
};

const label = (point: Record<string, unknown>) => Object.entries(point).map(([k, v]) => `${k.split('.').at(-1)}=${JSON.stringify(v)}`).join(' ');

/** Writes sweep.json, points.csv (final losses per grid point), scaling.csv, and each point's run in points/<k>-<label>/. */
export async function writeSweep(dir: string, sweep: LocalSweep): Promise<void> {
  await mkdir(dir, { recursive: true });
  const finals = sweep.points.map(({ point, run }) => ({ ...flatPoint(point), role: sweepChildRole(point), ...finalRow(run) }));
  const scaling = sweep.series.flatMap(({ series, statistics }) =>
    statistics.scaling.map((s) => ({
      series: JSON.stringify(series), step: s.step, time: s.time, alpha: s.alpha,
      lower: s.interval?.lower ?? null, upper: s.interval?.upper ?? null, widths: s.points.map((p) => p.width).join(' '),
      reducedChiSquare: s.goodness?.reducedChiSquare ?? null, pValue: s.goodness?.pValue ?? null, powerLaw: s.powerLaw,
      localSlopes: s.localSlopes.map((l) => l.alpha.toFixed(4)).join(' '),
      lInf: s.finiteWidth.lInf?.value ?? null, lInfLower: s.finiteWidth.lInf?.lower ?? null, lInfUpper: s.finiteWidth.lInf?.upper ?? null,
      a: s.finiteWidth.a?.value ?? null, finiteWidthPValue: s.finiteWidth.goodness?.pValue ?? null,
      finiteWidthReducedChiSquare: s.finiteWidth.goodness?.reducedChiSquare ?? null,
      // paired: GLS with the widths' covariance from the paired replicas; independent: weighted fits.
      covariance: s.covariance,
      // With a reference run: L_ref and the scaling of m_n - L_ref (empty without one).
      lRef: s.excess?.reference?.meanLoss ?? null, lRefStandardError: s.excess?.reference?.standardError ?? null,
      excessAlpha: s.excess?.alpha ?? null, excessLower: s.excess?.interval?.lower ?? null, excessUpper: s.excess?.interval?.upper ?? null,
      excessReducedChiSquare: s.excess?.goodness?.reducedChiSquare ?? null, excessPValue: s.excess?.goodness?.pValue ?? null, excessPowerLaw: s.excess?.powerLaw ?? null,
    })),
  );
  await writeFile(join(dir, 'sweep.json'), json({
    request: sweep.request, seed: sweep.seed, runSeconds: sweep.runSeconds,
    points: finals, series: sweep.series,
  }));
  await writeFile(join(dir, 'points.csv'), toCsv(finals, Object.keys(finals[0] ?? {}) as never));
  await writeFile(join(dir, 'scaling.csv'), toCsv(scaling, [
    'series', 'step', 'time', 'alpha', 'lower', 'upper', 'widths', 'reducedChiSquare', 'pValue', 'powerLaw', 'localSlopes',
    'lInf', 'lInfLower', 'lInfUpper', 'a', 'finiteWidthPValue', 'finiteWidthReducedChiSquare', 'covariance',
    'lRef', 'lRefStandardError', 'excessAlpha', 'excessLower', 'excessUpper', 'excessReducedChiSquare', 'excessPValue', 'excessPowerLaw',
  ]));
  await Promise.all(sweep.points.map(({ point, run }, k) => writeRun(join(dir, 'points', `${k}-${slug(label(point))}`), run)));
}

const flatPoint = (point: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(point).map(([k, v]) => [k, typeof v === 'object' ? JSON.stringify(v) : v]));

function finalRow(run: LocalRun) {
  const last = run.statistics.rows.at(-1);
  return {
    status: run.status,
    finalTime: last?.time ?? null,
    meanTestLoss: last?.meanLoss ?? null,
    standardError: last?.standardError ?? null,
    fluctuation: last?.fluctuation ?? null,
    runSeconds: Number(run.runSeconds.toFixed(3)),
  };
}

export function sweepSummary(sweep: LocalSweep): string {
  const paths = Object.keys(sweep.request.grid);
  const out = [
    `${sweep.request.name ?? 'sweep'}: ${sweep.points.length} points, seed ${sweep.seed}, ${sweep.runSeconds.toFixed(1)} s`,
    table(
      [...paths.map((p) => p.split('.').at(-1)!), 'status', 'final test loss', 'std error', 'n * var f', 'seconds'],
      sweep.points.map(({ point, run }) => {
        const f = finalRow(run);
        return [...paths.map((p) => (typeof point[p] === 'number' || typeof point[p] === 'string' ? (point[p] as number | string) : JSON.stringify(point[p]))), f.status, f.meanTestLoss, f.standardError, f.fluctuation, f.runSeconds];
      }),
    ),
  ];
  for (const { series, statistics } of sweep.series) {
    if (statistics.widths.length < 2) continue;
    const fits = statistics.scaling.filter((s) => s.alpha !== null);
    if (fits.length === 0) continue;
    const name = Object.keys(series).length ? ` ${label(series)}` : '';
    out.push('', `scaling of the mean test loss with the width${name} (loss ~ n^-alpha, 95% bootstrap interval; a power law only where p >= 0.05), and L_inf + a/n:`);
    const independent = fits.find((s) => s.covariance === 'independent');
    out.push(independent
      ? `widths fitted as independent at some times (${independent.covarianceReason ?? 'no reason given'})`
      : 'widths correlated through paired replicas: GLS with their covariance (chi2/dof Hartlap-corrected, p from Hotelling\'s T^2)');
    out.push(table(
      ['step', 'time', 'alpha', 'lower', 'upper', 'chi2/dof', 'p', 'local slopes', 'L_inf', 'p (L_inf + a/n)'],
      sampleIndices(fits.length, 6).map((i) => fits[i]).map((s) => [
        s.step, s.time, s.alpha, s.interval?.lower, s.interval?.upper, s.goodness?.reducedChiSquare ?? null, s.goodness?.pValue ?? null,
        s.localSlopes.map((l) => l.alpha.toFixed(2)).join(' '), s.finiteWidth.lInf?.value ?? null, s.finiteWidth.goodness?.pValue ?? null,
      ]),
    ));
    const excess = statistics.scaling.filter((s) => s.excess);
    if (excess.length) {
      out.push('', `excess over the reference run (n = ${excess[0].excess!.reference?.width ?? '?'}${name}): m_n - L_ref ~ n^-alpha, the reference's standard error propagated:`);
      out.push(table(
        ['step', 'time', 'L_ref', 'std error', 'alpha', 'lower', 'upper', 'chi2/dof', 'p', 'local slopes'],
        sampleIndices(excess.length, 6).map((i) => excess[i]).map((s) => {
          const e = s.excess!;
          return [s.step, s.time, e.reference?.meanLoss ?? null, e.reference?.standardError ?? null, e.alpha, e.interval?.lower, e.interval?.upper,
            e.goodness?.reducedChiSquare ?? null, e.goodness?.pValue ?? null, e.alpha === null ? e.reason : e.localSlopes.map((l) => l.alpha.toFixed(2)).join(' ')];
        }),
      ));
    }
    const unstable = statistics.instability.filter((i) => i.unstable > 0);
    if (unstable.length) out.push(`unstable replicas left out: ${unstable.map((i) => `${i.unstable} of ${i.replicas} at n = ${i.width}`).join(', ')}`);
  }
  return out.join('\n');
}
