// The mean-field side of a sweep for GET /v1/sweeps/{id}/limits, from what the worker stored when it
// aggregated the sweep: per series the reference run's L_ref(t) (`reference` in the request), else,
// for a mean-field series, L_inf(t) of the L_inf + a/n fit with its interval; and per recorded time
// the scaling of the excess m_n(t) - L_ref(t) with n. Read only: nothing here is computed again.
import { sweepChildRole, sweepSeriesKey } from '@mfsim/contracts';
import type { StoredSweepStatistics, SweepChildRow } from '@mfsim/db';
import type { LimitsCsvRow } from '@mfsim/limits';

interface Estimate { value: number; standardError: number; lower: number; upper: number }
interface StoredScaling {
  step: number;
  time: number;
  finiteWidth?: { lInf: Estimate | null; goodness: { pValue: number | null } | null; reason: string | null };
  excess?: (Record<string, unknown> & {
    alpha: number | null;
    interval: { lower: number; upper: number } | null;
    goodness: { reducedChiSquare: number | null; pValue: number | null } | null;
    powerLaw: string | null;
    reference: { meanLoss: number; standardError: number } | null;
    reason: string | null;
  }) | null;
}

/** 95% two-sided normal quantile: the interval given with L_ref (a mean over replicas). */
const Z95 = 1.959963984540054;

export interface SweepMeanField {
  series: Record<string, unknown>;
  source: 'reference' | 'finite-width' | null;
  reference: { simulationId: string; width: number; replicas: number; status: string } | null;
  reason: string | null;
  points: { step: number; time: number; loss: number | null; standardError: number | null; lower: number | null; upper: number | null; pValue: number | null; reason: string | null }[];
  excess: { step: number; time: number; fit: NonNullable<StoredScaling['excess']> }[];
}

/** The series' parameterization: its grid point's value, else the sweep base's, else mean-field. */
function parameterizationOf(base: unknown, series: Record<string, unknown>): 'mean-field' | 'ntk' {
  const fromBase = ((base as { student?: { parameterization?: unknown } } | null)?.student)?.parameterization;
  return (series['student.parameterization'] ?? fromBase) === 'ntk' ? 'ntk' : 'mean-field';
}

/** Per series with stored statistics: the mean-field limit of the loss and the excess scaling. */
export function sweepMeanField(base: unknown, children: SweepChildRow[], stored: StoredSweepStatistics[]): SweepMeanField[] {
  const references = new Map<string, SweepChildRow>();
  for (const c of children) {
    const point = (c.sweepPoint ?? {}) as Record<string, unknown>;
    if (sweepChildRole(point) === 'reference') references.set(sweepSeriesKey(point), c);
  }
  const keys = [...new Set(stored.map((s) => s.series))];
  return keys.map((key) => {
    const series = JSON.parse(key) as Record<string, unknown>;
    const rows = stored.filter((s) => s.series === key).map((s) => s.scaling as StoredScaling);
    const ref = references.get(key);
    const reference = ref ? { simulationId: ref.id, width: ref.width, replicas: ref.replicas, status: ref.status } : null;
    const excess = rows.flatMap((r) => (r.excess ? [{ step: r.step, time: r.time, fit: r.excess }] : []));
    if (ref) {
      return {
        series, source: 'reference' as const, reference, reason: null, excess,
        points: rows.map((r) => {
          const l = r.excess?.reference ?? null;
          return {
            step: r.step, time: r.time, loss: l?.meanLoss ?? null, standardError: l?.standardError ?? null,
            lower: l ? l.meanLoss - Z95 * l.standardError : null, upper: l ? l.meanLoss + Z95 * l.standardError : null,
            pValue: null, reason: l ? null : (r.excess?.reason ?? 'the reference run has no record at this step'),
          };
        }),
      };
    }
    if (parameterizationOf(base, series) === 'ntk') {
      return {
        series, source: null, reference: null, excess, points: [],
        reason: 'an ntk series without a reference run: its limit is the NTK prediction of each child (children[].limits)',
      };
    }
    return {
      series, source: 'finite-width' as const, reference: null, reason: null, excess,
      points: rows.map((r) => {
        const l = r.finiteWidth?.lInf ?? null;
        return {
          step: r.step, time: r.time, loss: l?.value ?? null, standardError: l?.standardError ?? null, lower: l?.lower ?? null, upper: l?.upper ?? null,
          pValue: r.finiteWidth?.goodness?.pValue ?? null, reason: l ? null : (r.finiteWidth?.reason ?? 'no L_inf + a/n fit at this time'),
        };
      }),
    };
  });
}

/** A row of the sweep limits CSV (columns SWEEP_LIMITS_CSV_COLUMNS); absent columns are empty cells. */
export type SweepLimitsCsvRow = LimitsCsvRow & Partial<Record<
  'simulationId' | 'width' | 'series' | 'source' | 'lower' | 'upper' | 'alpha' | 'alphaLower' | 'alphaUpper' | 'reducedChiSquare' | 'pValue' | 'powerLaw',
  unknown
>>;

/**
 * The CSV rows after the children's: `mean-field` rows carry L_ref or L_inf in predictedTestLoss
 * with its standard error and interval; `excess` rows the fit.
 */
export function sweepMeanFieldCsvRows(meanField: SweepMeanField[]): SweepLimitsCsvRow[] {
  const rows: SweepLimitsCsvRow[] = [];
  for (const m of meanField) {
    for (const p of m.points) {
      rows.push({
        simulationId: m.reference?.simulationId, width: m.reference?.width, section: 'mean-field', step: p.step, time: p.time,
        predictedTestLoss: p.loss, standardError: p.standardError, series: m.series, source: m.source, lower: p.lower, upper: p.upper, pValue: p.pValue,
      });
    }
    for (const e of m.excess) {
      const f = e.fit;
      rows.push({
        section: 'excess', step: e.step, time: e.time, series: m.series, source: m.source, alpha: f.alpha, alphaLower: f.interval?.lower,
        alphaUpper: f.interval?.upper, reducedChiSquare: f.goodness?.reducedChiSquare, pValue: f.goodness?.pValue, powerLaw: f.powerLaw,
      });
    }
  }
  return rows;
}
