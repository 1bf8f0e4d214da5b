// A sweep run in this process: the grid expanded exactly as the API expands it (expandSweep of
// the contracts), each point run by runLocal, and the statistics over widths computed by
// aggregateSweep per series (the grid values other than the width), as the service does.
import { randomInt } from 'node:crypto';
import { expandSweep, sweepChildRole, sweepRequestSchema, sweepSeriesKey, fieldIssues, type SweepRequest } from '@mfsim/contracts';
import { aggregateSweep, type SweepStatistics } from '@mfsim/stats';
import { MfsimSpecError } from '../spec-error.ts';
import { runLocal, type LocalRun, type LocalRunOptions } from './run-local.ts';

export interface LocalSweepPoint {
  point: Record<string, unknown>;
  run: LocalRun;
}

export interface LocalSweep {
  request: SweepRequest;
  seed: number;
  points: LocalSweepPoint[];
  /** One entry per series (grid values other than student.width), as the service groups them. */
  series: Array<{ series: Record<string, unknown>; statistics: SweepStatistics }>;
  runSeconds: number;
}

export function parseSweep(input: unknown): SweepRequest {
  const r = sweepRequestSchema.safeParse(input);
  if (!r.success) {
    const issues = fieldIssues(r.error);
    throw new MfsimSpecError(`invalid sweep: ${issues.length} field${issues.length === 1 ? '' : 's'}`, issues);
  }
  return r.data;
}

export async function runLocalSweep(
  input: unknown,
  o: Omit<LocalRunOptions, 'onChunk'> & {
    onPoint?: (index: number, count: number, point: Record<string, unknown>) => void;
    onChunk?: LocalRunOptions['onChunk'];
  } = {},
): Promise<LocalSweep> {
  const request = parseSweep(input);
  const expansion = expandSweep(request, o.seed ?? randomInt(0, 2 ** 31));
  if (!expansion.ok) throw new MfsimSpecError(`invalid sweep: ${expansion.issues.length} field(s)`, expansion.issues);
  const started = performance.now();
  const points: LocalSweepPoint[] = [];
  for (const [i, p] of expansion.points.entries()) {
    o.onPoint?.(i, expansion.points.length, p.point);
    points.push({ point: p.point, run: await runLocal(p.spec, { kernel: o.kernel, dataset: o.dataset, signal: o.signal, onChunk: o.onChunk }) });
    if (o.signal?.aborted) break;
  }
  const groups = new Map<string, LocalSweepPoint[]>();
  // A series' reference run (`reference` in the request) is not one of its widths: L_ref(t) for the excess fit.
  const references = new Map<string, LocalSweepPoint>();
  for (const p of points) {
    const key = sweepSeriesKey(p.point);
    if (sweepChildRole(p.point) === 'reference') references.set(key, p);
    else groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const series = [...groups.entries()].map(([key, members]) => {
    const reference = references.get(key);
    return {
      series: JSON.parse(key) as Record<string, unknown>,
      statistics: aggregateSweep(
        members.map((m) => ({ width: m.run.spec.student.width, records: recordsOf(m.run) })),
        // Every point has the sweep's seed: replica r shares its seed across widths.
        {
          seed: expansion.seed, sharedSeeds: true, parameterization: members[0]?.run.spec.student.parameterization,
          reference: reference ? { width: reference.run.spec.student.width, records: recordsOf(reference.run) } : null,
        },
      ),
    };
  });
  return { request, seed: expansion.seed, points, series, runSeconds: (performance.now() - started) / 1000 };
}

function recordsOf(run: LocalRun) {
  const { steps, times, testLosses, probeOutputs } = run.records;
  return { steps, times, testLosses, probeOutputs };
}
