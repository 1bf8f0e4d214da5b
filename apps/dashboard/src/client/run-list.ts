// The simulations list's model: its metric columns (which the API can sort by), the filters a URL
// carries (several statuses, any spec field as `spec.<path>=<value>`), and grouping by sweep. No DOM here.
import { SIMULATION_SORTS, type SimulationReply } from '@mfsim/contracts';

/** The loss figures the list reply carries per run (null until the run has recorded a point). */
export type MetricKey = 'finalTestLoss' | 'bestTestLoss' | 'finalTrainLoss';

/** A loss figure of a run as the API gives it (null before its first recorded step). */
export function metric(s: SimulationReply, key: MetricKey): number | null {
  const v = s[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export interface Column {
  key: string;
  label: string;
  /** The API's sort key for this column, when it can sort by it. */
  sort: string | null;
  numeric: boolean;
}

const SORTS = SIMULATION_SORTS as readonly string[];
const sortKey = (...names: string[]) => names.find((n) => SORTS.includes(n)) ?? null;

export const COLUMNS: Column[] = [
  { key: 'name', label: 'Name', sort: sortKey('name'), numeric: false },
  { key: 'status', label: 'Status', sort: sortKey('status'), numeric: false },
  { key: 'progress', label: 'Progress', sort: sortKey('progress'), numeric: false },
  { key: 'finalTestLoss', label: 'Final test loss', sort: sortKey('finalTestLoss'), numeric: true },
  { key: 'bestTestLoss', label: 'Best test loss', sort: sortKey('bestTestLoss'), numeric: true },
  { key: 'finalTrainLoss', label: 'Final train loss', sort: sortKey('finalTrainLoss'), numeric: true },
  { key: 'width', label: 'Width', sort: sortKey('width'), numeric: true },
  { key: 'dynamics', label: 'Dynamics', sort: sortKey('dynamics'), numeric: false },
  { key: 'dt', label: 'dt', sort: sortKey('dt'), numeric: true },
  { key: 'steps', label: 'Steps', sort: sortKey('steps', 'totalSteps'), numeric: true },
  { key: 'runSeconds', label: 'Run time', sort: sortKey('runSeconds'), numeric: true },
  { key: 'createdAt', label: 'Created', sort: sortKey('createdAt'), numeric: false },
];

/** The next sort when a column's header is clicked: ascending first (lowest loss first), newest first for dates; a second click reverses. */
export function nextSort(current: string, column: Column): string | null {
  if (!column.sort) return null;
  const asc = column.sort;
  const desc = `-${asc}`;
  const first = column.key === 'createdAt' ? desc : asc;
  const other = first === asc ? desc : asc;
  if (!SORTS.includes(first)) return SORTS.includes(other) ? other : null;
  return current === first && SORTS.includes(other) ? other : first;
}

/** ▲ or ▼ beside the header the list is sorted by. */
export function sortMark(current: string, column: Column): string {
  if (!column.sort) return '';
  if (current === column.sort) return ' ▲';
  if (current === `-${column.sort}`) return ' ▼';
  return '';
}

export interface ListState {
  /** Several statuses, as the API takes them. */
  statuses: string[];
  q: string;
  name: string;
  tag: string;
  sweepId: string;
  sort: string;
  /** spec.<path> -> value text */
  spec: [string, string][];
  group: boolean;
}

export const DEFAULT_SORT = '-createdAt';

/** The list's state from the page URL's query (the same names as the API's). */
export function readListState(params: URLSearchParams): ListState {
  const statuses = params.getAll('status').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  const spec: [string, string][] = [];
  for (const [k, v] of params) if (k.startsWith('spec.') && v !== '') spec.push([k, v]);
  return {
    statuses: [...new Set(statuses)],
    q: params.get('q') ?? '',
    name: params.get('name') ?? '',
    tag: params.get('tag') ?? '',
    sweepId: params.get('sweepId') ?? params.get('sweep') ?? '',
    sort: params.get('sort') ?? DEFAULT_SORT,
    spec,
    group: params.get('group') === 'sweep',
  };
}

/** The query of the page URL (and, without `group`, of the API call) for a state. */
export function listQuery(state: ListState, forApi = false): URLSearchParams {
  const q = new URLSearchParams();
  if (state.statuses.length) q.set('status', state.statuses.join(','));
  for (const [k, v] of [['q', state.q], ['name', state.name], ['tag', state.tag], ['sweepId', state.sweepId]] as const) if (v) q.set(k, v);
  for (const [k, v] of state.spec) q.append(k, v);
  if (state.sort && state.sort !== DEFAULT_SORT) q.set('sort', state.sort);
  if (!forApi && state.group) q.set('group', 'sweep');
  return q;
}

/**
 * Spec filters typed as text, one per line or comma: `student.width=256`, `spec.training.dynamics = sgd`.
 * Returns the pairs, or the first line it cannot read.
 */
export function parseSpecFilters(text: string): { ok: true; filters: [string, string][] } | { ok: false; message: string } {
  const filters: [string, string][] = [];
  for (const raw of text.split(/[\n,;]/)) {
    const part = raw.trim();
    if (!part) continue;
    const m = /^([A-Za-z][\w.]*)\s*=\s*(.+)$/.exec(part);
    if (!m) return { ok: false, message: `“${part}”: write a spec field and a value, e.g. student.width=256` };
    const path = m[1].startsWith('spec.') ? m[1] : `spec.${m[1]}`;
    filters.push([path, m[2].trim()]);
  }
  return { ok: true, filters };
}

export const specFiltersText = (filters: [string, string][]) => filters.map(([k, v]) => `${k.slice('spec.'.length)}=${v}`).join(', ');

/** Rows in groups of one sweep each (in the order the list gives them), runs outside sweeps last. */
export function groupBySweep<T extends { sweepId: string | null }>(items: readonly T[]): { sweepId: string | null; items: T[] }[] {
  const groups = new Map<string | null, T[]>();
  for (const s of items) {
    const g = groups.get(s.sweepId) ?? [];
    g.push(s);
    groups.set(s.sweepId, g);
  }
  const out = [...groups].filter(([id]) => id !== null).map(([sweepId, items]) => ({ sweepId, items }));
  if (groups.has(null)) out.push({ sweepId: null, items: groups.get(null)! });
  return out;
}
