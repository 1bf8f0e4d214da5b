// The infinite-width limits of a finished simulation on its page (GET /v1/simulations/{id}/limits):
// the NTK curve for the test-loss chart (dashed, with the band of the agreement rule: 3 standard
// errors of the replica mean or 2%), and the t = 0 NNGP check per probe. For a sweep's child, the
// sweep's mean-field limit of the test loss (GET /v1/sweeps/{id}/limits, per series): the reference
// run's L_ref(t), else L_inf(t) of the L_inf + a/n fit, dotted, with its 95% interval.
import type { LimitCurve } from './charts/loss-chart.ts';
import { fmt, h } from './dom.ts';
import { note } from './ui.ts';

export interface StoredLimits {
  prediction: null | {
    parameterization: string;
    notes: string[];
    ntk: null | { times: number[]; testLoss: (number | null)[]; sample: string; trainSize: number };
  };
  agreement: null | {
    nngp: null | { replicas: number; probes: { predicted: number; measured: number | null; z: number | null }[]; pooled: { predicted: number; measured: number | null; standardError: number; z: number | null } };
    ntk: null | { standardError: number | null }[];
    ntkAgrees: boolean | null;
  };
  unavailable?: { field: string; message: string };
}

export function ntkCurve(limits: StoredLimits): LimitCurve | undefined {
  const ntk = limits.prediction?.ntk;
  if (!ntk) return undefined;
  const tolerance = (i: number, v: number) => Math.max(0.02 * v, 3 * (limits.agreement?.ntk?.[i]?.standardError ?? 0));
  return {
    label: 'infinite width (NTK)',
    times: ntk.times,
    values: ntk.testLoss,
    lower: ntk.testLoss.map((v, i) => (v === null ? null : Math.max(v - tolerance(i, v), v / 10))),
    upper: ntk.testLoss.map((v, i) => (v === null ? null : v + tolerance(i, v))),
  };
}

/** The card: the NTK agreement in one line, the NNGP check per probe, the notes. */
export function limitsCard(limits: StoredLimits): HTMLElement {
  const card = h('section.card', { 'data-testid': 'limits' }, h('h2', {}, 'Infinite width'));
  if (!limits.prediction) {
    card.append(note(limits.unavailable?.message ?? 'No limits for this run.'));
    return card;
  }
  const a = limits.agreement;
  const ntk = limits.prediction.ntk;
  if (ntk) {
    card.append(h('p', {}, `Dashed on the test-loss chart: the NTK prediction (${ntk.sample}, ${ntk.trainSize} points), band 3 s.e. or 2%. ` +
      (a?.ntkAgrees === true ? 'The mean test loss is within it at every recorded step.' : a?.ntkAgrees === false ? 'The mean test loss leaves it at some recorded steps.' : '')));
  }
  const nngp = a?.nngp;
  if (nngp) {
    card.append(
      h('p', {}, `NNGP check at t = 0 (${nngp.replicas} replicas): pooled measured ${fmt(nngp.pooled.measured)} against K = ${fmt(nngp.pooled.predicted)} ± ${fmt(nngp.pooled.standardError)}, z = ${fmt(nngp.pooled.z, 2)}.`),
      h('table.data', {},
        h('thead', {}, h('tr', {}, h('th', {}, 'probe'), h('th', {}, 'K(x, x)'), h('th', {}, 'measured'), h('th', {}, 'z'))),
        h('tbody', {}, ...nngp.probes.map((p, j) => h('tr', {}, h('td', {}, String(j)), h('td', {}, fmt(p.predicted)), h('td', {}, fmt(p.measured)), h('td', {}, fmt(p.z, 2)))))),
    );
  }
  for (const n of limits.prediction.notes) card.append(h('p.muted', {}, n));
  return card;
}

/** The mean-field part of GET /v1/sweeps/{id}/limits (per series: the values of the grid fields other than the width). */
export interface SweepMeanField {
  series: Record<string, unknown>;
  source: 'reference' | 'finite-width' | null;
  reference: { simulationId: string; width: number; replicas: number; status: string } | null;
  points: { time: number; loss: number | null; lower: number | null; upper: number | null }[];
}

function valueAt(o: unknown, path: string): unknown {
  let node = o;
  for (const k of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node;
}

/** The series a child belongs to: the one whose grid values its spec has (the only one of a sweep over widths alone). */
export function seriesOf(meanField: readonly SweepMeanField[], spec: Record<string, unknown>): SweepMeanField | undefined {
  return meanField.find((m) => Object.entries(m.series).every(([path, v]) => JSON.stringify(valueAt(spec, path)) === JSON.stringify(v)));
}

/**
 * The sweep's mean-field limit of the test loss for the child `simulationId` (its spec `spec`, the
 * seed included): the reference run's L_ref(t), or L_inf(t) of a mean-field series without one;
 * undefined when the sweep has neither, has no statistics yet, or this child is the reference run.
 */
export function meanFieldCurve(meanField: readonly SweepMeanField[], spec: Record<string, unknown>, simulationId: string): LimitCurve | undefined {
  const m = seriesOf(meanField, spec);
  if (!m || m.source === null || m.reference?.simulationId === simulationId) return undefined;
  const points = m.points.filter((p) => p.loss !== null);
  if (points.length === 0) return undefined;
  const label = m.source === 'reference' && m.reference
    ? `mean-field reference L_ref (n = ${m.reference.width}, ${m.reference.replicas} replicas)`
    : 'mean-field limit L_inf (L_inf + a/n fit)';
  // On a log axis the band's lower edge stays positive (as for the replica band).
  return {
    label, color: '#7a3e9d', dash: [2, 3],
    times: points.map((p) => p.time),
    values: points.map((p) => p.loss),
    lower: points.map((p) => (p.lower === null ? p.loss : p.lower > 0 ? p.lower : p.loss! / 10)),
    upper: points.map((p) => p.upper ?? p.loss),
  };
}
