// The submit form's model: fields by spec path, the spec (or sweep) they make, validation with the
// contracts' own zod schema, and each issue placed at the field it belongs to. No DOM here.
import { expandSweep, fieldIssues, specSchema, sweepRequestSchema, type FieldIssue } from '@mfsim/contracts';

export interface FieldDef {
  /** Dotted spec path, as the API's issues name it. */
  path: string;
  label: string;
  kind: 'text' | 'number' | 'select' | 'list';
  options?: readonly string[];
  value: string;
  /** Shown only when another field has one of these values, e.g. {path: 'inputs.kind', is: ['uniform']}. */
  when?: { path: string; is: readonly string[] };
  hint?: string;
  group: string;
}

export const SWEEP_WIDTHS = 'sweep.widths';
/** A sweep's other grid fields, as text: `training.dt = 0.1, 0.2; seed = 1, 2`. */
export const SWEEP_GRID = 'sweep.grid';
/**
 * The sweep's optional reference run (`reference: {width, replicas}` of the request). Named as the
 * API's issues name them, so a refusal lands at its field.
 */
export const SWEEP_REFERENCE_WIDTH = 'reference.width';
export const SWEEP_REFERENCE_REPLICAS = 'reference.replicas';

/**
 * The ramp unit's parameters (phi(h) = s1 for h <= t1, s2 for h >= t2, linear between; t1 < t2),
 * shown when `<prefix>.unit` is ramp. Defaults: a hard tanh, from -1 at h = -1 to 1 at h = 1.
 */
function rampFields(group: string, prefix: 'student' | 'target', label: string): FieldDef[] {
  const when = { path: `${prefix}.unit`, is: ['ramp'] };
  return [
    { group, path: `${prefix}.ramp.s1`, label: `${label} s1`, kind: 'number', value: '-1', when, hint: 'the value for h ≤ t1' },
    { group, path: `${prefix}.ramp.s2`, label: `${label} s2`, kind: 'number', value: '1', when, hint: 'the value for h ≥ t2' },
    { group, path: `${prefix}.ramp.t1`, label: `${label} t1`, kind: 'number', value: '-1', when, hint: 'the lower knot' },
    { group, path: `${prefix}.ramp.t2`, label: `${label} t2`, kind: 'number', value: '1', when, hint: 'the upper knot, greater than t1' },
  ];
}

export const FIELDS: FieldDef[] = [
  { group: 'Run', path: 'name', label: 'Name', kind: 'text', value: 'teacher, d=8' },
  { group: 'Run', path: 'seed', label: 'Seed', kind: 'number', value: '1' },
  { group: 'Run', path: 'replicas', label: 'Replicas', kind: 'number', value: '4' },
  { group: 'Run', path: 'tags', label: 'Tags', kind: 'list', value: '', hint: 'comma separated' },
  { group: 'Run', path: 'priority', label: 'Priority', kind: 'number', value: '0', hint: '-1000 to 1000; higher runs sooner' },
  { group: 'Run', path: 'resources.gpu', label: 'GPU', kind: 'select', options: ['preferred', 'required', 'no'], value: 'preferred', hint: 'preferred: a GPU worker if one is free; required: only a GPU worker' },
  { group: 'Sweep', path: SWEEP_WIDTHS, label: 'Widths n', kind: 'list', value: '16, 32, 64, 128', hint: 'comma separated; one simulation per width' },
  { group: 'Sweep', path: SWEEP_GRID, label: 'More grid fields', kind: 'text', value: '', hint: 'any spec field, “;” between fields: training.dt = 0.1, 0.2; seed = 1, 2 (every combination runs)' },
  { group: 'Sweep', path: SWEEP_REFERENCE_WIDTH, label: 'Reference width', kind: 'number', value: '', hint: 'optional: one more run per series, wider than every grid width; its mean loss is the mean-field reference L_ref(t)' },
  { group: 'Sweep', path: SWEEP_REFERENCE_REPLICAS, label: 'Reference replicas', kind: 'number', value: '', hint: 'default: the replicas above' },
  { group: 'Inputs', path: 'inputs.kind', label: 'Inputs', kind: 'select', options: ['sphere', 'gaussian', 'uniform', 'isotropic-gaussians'], value: 'gaussian' },
  { group: 'Inputs', path: 'inputs.d', label: 'Dimension d', kind: 'number', value: '8' },
  { group: 'Inputs', path: 'inputs.a', label: 'Half-width a', kind: 'number', value: '1', when: { path: 'inputs.kind', is: ['uniform'] } },
  { group: 'Inputs', path: 'inputs.delta', label: 'Δ', kind: 'number', value: '0.5', when: { path: 'inputs.kind', is: ['isotropic-gaussians'] } },
  { group: 'Target', path: 'target.kind', label: 'Target', kind: 'select', options: ['teacher', 'p-spin', 'labels'], value: 'teacher' },
  { group: 'Target', path: 'target.p', label: 'Order p', kind: 'number', value: '3', when: { path: 'target.kind', is: ['p-spin'] } },
  { group: 'Target', path: 'target.unit', label: 'Teacher unit', kind: 'select', options: ['tanh', 'sigmoid', 'relu', 'erf', 'ramp'], value: 'tanh', when: { path: 'target.kind', is: ['teacher'] } },
  ...rampFields('Target', 'target', 'Teacher ramp'),
  { group: 'Target', path: 'target.width', label: 'Teacher width m', kind: 'number', value: '4', when: { path: 'target.kind', is: ['teacher'] } },
  { group: 'Student', path: 'student.unit', label: 'Unit', kind: 'select', options: ['tanh', 'sigmoid', 'relu', 'erf', 'gaussian', 'ramp'], value: 'tanh' },
  ...rampFields('Student', 'student', 'Ramp'),
  { group: 'Student', path: 'student.width', label: 'Width n', kind: 'number', value: '64', hint: 'a sweep uses its widths instead' },
  { group: 'Student', path: 'student.parameterization', label: 'Parameterization', kind: 'select', options: ['mean-field', 'ntk'], value: 'mean-field' },
  { group: 'Training', path: 'training.dynamics', label: 'Dynamics', kind: 'select', options: ['sgd', 'gd', 'minibatch', 'sde'], value: 'sgd' },
  { group: 'Training', path: 'training.dt', label: 'Time step dt', kind: 'number', value: '0.2' },
  { group: 'Training', path: 'training.steps', label: 'Steps', kind: 'number', value: '400' },
  { group: 'Training', path: 'training.batchSize', label: 'Batch size B', kind: 'number', value: '128', when: { path: 'training.dynamics', is: ['sgd', 'minibatch', 'sde'] } },
  { group: 'Training', path: 'training.trainSize', label: 'Training set P', kind: 'number', value: '', hint: 'default 1024', when: { path: 'training.dynamics', is: ['gd', 'minibatch', 'sde'] } },
  { group: 'Training', path: 'training.weightDecay', label: 'Weight decay λ', kind: 'number', value: '0' },
  { group: 'Training', path: 'training.temperature', label: 'Temperature T', kind: 'number', value: '0' },
  { group: 'Recording', path: 'record.logPoints', label: 'Recorded times (log spaced)', kind: 'number', value: '30' },
  { group: 'Recording', path: 'record.testSize', label: 'Test set M', kind: 'number', value: '512' },
  { group: 'Recording', path: 'record.probes', label: 'Probes', kind: 'number', value: '16' },
  { group: 'Recording', path: 'record.snapshots', label: 'Snapshot steps', kind: 'list', value: '0, 400', hint: 'comma separated' },
];

export type Values = Record<string, string>;

export const defaultValues = (): Values => Object.fromEntries(FIELDS.map((f) => [f.path, f.value]));

/** Shown when its `when` holds and the field it depends on is itself shown (a teacher's ramp needs a teacher). */
export function visible(field: FieldDef, values: Values): boolean {
  if (!field.when) return true;
  const on = FIELDS.find((f) => f.path === field.when!.path);
  return field.when.is.includes(values[field.when.path]) && (!on || visible(on, values));
}

// A number field's text becomes a number; text that is not a number is kept as text, so the schema
// reports it at its field ("expected number").
function numberOrText(s: string): number | string {
  const n = Number(s);
  return s.trim() !== '' && Number.isFinite(n) ? n : s;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown) {
  const keys = path.split('.');
  let o = target;
  for (const k of keys.slice(0, -1)) o = (o[k] ??= {}) as Record<string, unknown>;
  o[keys[keys.length - 1]] = value;
}

/** The spec the visible, non-empty fields describe (before validation). */
export function specFromValues(values: Values): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  for (const f of FIELDS) {
    if (f.group === 'Sweep' || !visible(f, values)) continue;
    const raw = (values[f.path] ?? '').trim();
    if (raw === '') continue;
    if (f.kind === 'number') setPath(spec, f.path, numberOrText(raw));
    else if (f.kind === 'list') {
      const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
      setPath(spec, f.path, f.path === 'tags' ? items : items.map(numberOrText));
    } else setPath(spec, f.path, raw);
  }
  return spec;
}

export type Submission =
  | { ok: true; kind: 'simulation' | 'sweep'; body: Record<string, unknown> }
  | { ok: false; issues: FieldIssue[] };

/**
 * Validates the form as the API will, with the contracts' own schemas: the spec schema for a
 * simulation; for a sweep the request schema and its expansion, which checks every grid point.
 * `rest`: spec fields the form has no field for (a cloned run's), kept under what the fields say.
 */
export function validate(kind: 'simulation' | 'sweep', values: Values, rest: Record<string, unknown> = {}): Submission {
  const spec = mergeSpec(rest, specFromValues(values));
  if (kind === 'simulation') {
    const r = specSchema.safeParse(spec);
    return r.success ? { ok: true, kind, body: spec } : { ok: false, issues: fieldIssues(r.error) };
  }
  const widths = (values[SWEEP_WIDTHS] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(numberOrText);
  const more = parseGrid(values[SWEEP_GRID] ?? '');
  if (!more.ok) return { ok: false, issues: [{ path: SWEEP_GRID, message: more.message }] };
  if (widths.length === 0 && Object.keys(more.grid).length === 0) return { ok: false, issues: [{ path: SWEEP_WIDTHS, message: 'give at least one width, or another grid field' }] };
  if (widths.length > 0 && 'student.width' in more.grid) return { ok: false, issues: [{ path: SWEEP_GRID, message: 'student.width is the widths field: give the widths there' }] };
  if ((values[SWEEP_REFERENCE_WIDTH] ?? '').trim() === '' && (values[SWEEP_REFERENCE_REPLICAS] ?? '').trim() !== '') {
    return { ok: false, issues: [{ path: SWEEP_REFERENCE_WIDTH, message: 'give the reference run a width (or clear its replicas)' }] };
  }
  const reference = referenceFrom(values);
  const body: Record<string, unknown> = { ...sweepBody(spec, widths, more.grid), ...(reference ? { reference } : {}) };
  const request = sweepRequestSchema.safeParse(body);
  if (!request.success) return { ok: false, issues: fieldIssues(request.error) };
  const expanded = expandSweep(request.data, 0);
  if (!expanded.ok) {
    // "grid.student.width.2" is the third width, "grid.training.dt.1" the second dt: say which.
    const grid = body.grid as Record<string, unknown[]>;
    const issues = expanded.issues.map((i) => {
      const m = /^grid\.(.+)\.(\d+)$/.exec(i.path);
      if (!m || !(m[1] in grid)) return i;
      const value = String(grid[m[1]][Number(m[2])]);
      return m[1] === 'student.width' && widths.length > 0
        ? { path: SWEEP_WIDTHS, message: `n = ${value}: ${i.message}` }
        : { path: SWEEP_GRID, message: `${m[1]} = ${value}: ${i.message}` };
    });
    return { ok: false, issues };
  }
  return { ok: true, kind, body };
}

/** POST /v1/sweeps body: the base spec and a grid of spec paths to values (the widths, and any other fields). */
export function sweepBody(spec: Record<string, unknown>, widths: unknown[], more: Record<string, unknown[]> = {}): Record<string, unknown> {
  return { ...(spec.name ? { name: spec.name } : {}), base: spec, grid: { ...(widths.length ? { 'student.width': widths } : {}), ...more } };
}

/** The reference fields as the request's `reference` (replicas default to the form's replicas); null when no width is given. */
export function referenceFrom(values: Values): Record<string, unknown> | null {
  const width = (values[SWEEP_REFERENCE_WIDTH] ?? '').trim();
  const replicas = (values[SWEEP_REFERENCE_REPLICAS] ?? '').trim() || (values.replicas ?? '').trim();
  if (width === '') return null;
  return { width: numberOrText(width), replicas: numberOrText(replicas) };
}

/**
 * The "more grid fields" text: `path = v1, v2` parts separated by `;` or new lines. Values read as
 * numbers, true/false, or text (`training.dynamics = sgd, gd`).
 */
export function parseGrid(text: string): { ok: true; grid: Record<string, unknown[]> } | { ok: false; message: string } {
  const grid: Record<string, unknown[]> = {};
  for (const raw of text.split(/[;\n]/)) {
    const part = raw.trim();
    if (!part) continue;
    const m = /^([A-Za-z][A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*)\s*[=:]\s*(.*)$/.exec(part);
    if (!m) return { ok: false, message: `“${part}”: write a spec field, “=”, and its values, e.g. training.dt = 0.1, 0.2` };
    const items = m[2].replace(/^\[|\]$/g, '').split(',').map((s) => s.trim()).filter(Boolean);
    if (items.length === 0) return { ok: false, message: `${m[1]}: give at least one value` };
    if (m[1] in grid) return { ok: false, message: `${m[1]} is given twice` };
    grid[m[1]] = items.map((v) => (v === 'true' || v === 'false' ? v === 'true' : numberOrText(v)));
  }
  return { ok: true, grid };
}

/** The form's text for a spec value: lists comma separated, absent as empty. */
function fieldText(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(', ');
  return String(v);
}

function getPath(o: unknown, path: string): unknown {
  let node = o;
  for (const k of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[k];
  }
  return node;
}

/**
 * A stored spec as the form's fields (clone and re-run), and what of it the form has no field for
 * (`rest`: kept under the fields when submitting, listed by `restPaths`).
 */
export function valuesFromSpec(spec: Record<string, unknown>): { values: Values; rest: Record<string, unknown>; restPaths: string[] } {
  const values = defaultValues();
  for (const f of FIELDS) if (f.group !== 'Sweep') values[f.path] = fieldText(getPath(spec, f.path));
  // A field the spec has no value for and that is hidden keeps its default, for when it is shown
  // (a tanh run cloned, then switched to the ramp unit, gets the ramp's default knots).
  for (const f of FIELDS) if (f.group !== 'Sweep' && values[f.path] === '' && !visible(f, values)) values[f.path] = f.value;
  values[SWEEP_WIDTHS] = fieldText(getPath(spec, 'student.width'));
  values[SWEEP_GRID] = '';
  const rest = structuredClone(spec);
  for (const f of FIELDS) deletePath(rest, f.path);
  const restPaths = leafPaths(rest);
  return { values, rest, restPaths };
}

function deletePath(o: Record<string, unknown>, path: string) {
  const keys = path.split('.');
  const parents: Record<string, unknown>[] = [o];
  let node: unknown = o;
  for (const k of keys.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return;
    node = (node as Record<string, unknown>)[k];
    if (node === null || typeof node !== 'object') return;
    parents.push(node as Record<string, unknown>);
  }
  delete (node as Record<string, unknown>)[keys[keys.length - 1]];
  // Objects left empty go too.
  for (let i = parents.length - 1; i > 0; i--) if (Object.keys(parents[i]).length === 0) delete parents[i - 1][keys[i - 1]];
}

function leafPaths(o: unknown, prefix = ''): string[] {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) return prefix ? [prefix] : [];
  return Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => leafPaths(v, prefix ? `${prefix}.${k}` : k));
}

/** `over` laid on `base`, object by object (what the fields say wins). */
export function mergeSpec(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = v !== null && typeof v === 'object' && !Array.isArray(v) && b !== null && typeof b === 'object' && !Array.isArray(b)
      ? mergeSpec(b as Record<string, unknown>, v as Record<string, unknown>)
      : v;
  }
  return out;
}

/** The form field an issue belongs to: the longest field path that is a prefix of the issue's path. */
export function fieldFor(issuePath: string, paths: readonly string[]): string | null {
  let best: string | null = null;
  for (const p of paths) {
    if ((issuePath === p || issuePath.startsWith(`${p}.`)) && (best === null || p.length > best.length)) best = p;
  }
  // Issues about the sweep's base spec ("base.student.width") belong to the same fields.
  if (best === null && issuePath.startsWith('base.')) return fieldFor(issuePath.slice('base.'.length), paths);
  if (best === null && (issuePath === 'grid' || issuePath.startsWith('grid.student.width'))) return paths.includes(SWEEP_WIDTHS) || !paths.includes(SWEEP_GRID) ? SWEEP_WIDTHS : SWEEP_GRID;
  if (best === null && issuePath.startsWith('grid.') && paths.includes(SWEEP_GRID)) return SWEEP_GRID;
  if (best === 'student.width' && !paths.includes('student.width')) return SWEEP_WIDTHS;
  return best;
}
