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

export const FIELDS: FieldDef[] = [
  { group: 'Run', path: 'name', label: 'Name', kind: 'text', value: 'teacher, d=8' },
  { group: 'Run', path: 'seed', label: 'Seed', kind: 'number', value: '1' },
  { group: 'Run', path: 'replicas', label: 'Replicas', kind: 'number', value: '4' },
  { group: 'Run', path: 'tags', label: 'Tags', kind: 'list', value: '', hint: 'comma separated' },
  { group: 'Sweep', path: SWEEP_WIDTHS, label: 'Widths n', kind: 'list', value: '16, 32, 64, 128', hint: 'comma separated; one simulation per width' },
  { group: 'Inputs', path: 'inputs.kind', label: 'Inputs', kind: 'select', options: ['sphere', 'gaussian', 'uniform', 'isotropic-gaussians'], value: 'gaussian' },
  { group: 'Inputs', path: 'inputs.d', label: 'Dimension d', kind: 'number', value: '8' },
  { group: 'Inputs', path: 'inputs.a', label: 'Half-width a', kind: 'number', value: '1', when: { path: 'inputs.kind', is: ['uniform'] } },
  { group: 'Inputs', path: 'inputs.delta', label: 'Δ', kind: 'number', value: '0.5', when: { path: 'inputs.kind', is: ['isotropic-gaussians'] } },
  { group: 'Target', path: 'target.kind', label: 'Target', kind: 'select', options: ['teacher', 'p-spin', 'labels'], value: 'teacher' },
  { group: 'Target', path: 'target.p', label: 'Order p', kind: 'number', value: '3', when: { path: 'target.kind', is: ['p-spin'] } },
  { group: 'Target', path: 'target.unit', label: 'Teacher unit', kind: 'select', options: ['tanh', 'sigmoid', 'relu', 'erf'], value: 'tanh', when: { path: 'target.kind', is: ['teacher'] } },
  { group: 'Target', path: 'target.width', label: 'Teacher width m', kind: 'number', value: '4', when: { path: 'target.kind', is: ['teacher'] } },
  { group: 'Student', path: 'student.unit', label: 'Unit', kind: 'select', options: ['tanh', 'sigmoid', 'relu', 'erf', 'gaussian'], value: 'tanh' },
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

export function visible(field: FieldDef, values: Values): boolean {
  return !field.when || field.when.is.includes(values[field.when.path]);
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
 */
export function validate(kind: 'simulation' | 'sweep', values: Values): Submission {
  const spec = specFromValues(values);
  if (kind === 'simulation') {
    const r = specSchema.safeParse(spec);
    return r.success ? { ok: true, kind, body: spec } : { ok: false, issues: fieldIssues(r.error) };
  }
  const widths = (values[SWEEP_WIDTHS] ?? '').split(',').map((s) => s.trim()).filter(Boolean).map(numberOrText);
  if (widths.length === 0) return { ok: false, issues: [{ path: SWEEP_WIDTHS, message: 'give at least one width' }] };
  const body = sweepBody(spec, widths);
  const request = sweepRequestSchema.safeParse(body);
  if (!request.success) return { ok: false, issues: fieldIssues(request.error) };
  const expanded = expandSweep(request.data, 0);
  if (!expanded.ok) {
    // "grid.student.width.2" is the third width: say which.
    const issues = expanded.issues.map((i) => {
      const m = /^grid\.student\.width\.(\d+)/.exec(i.path);
      return m ? { path: SWEEP_WIDTHS, message: `n = ${String(widths[Number(m[1])])}: ${i.message}` } : i;
    });
    return { ok: false, issues };
  }
  return { ok: true, kind, body };
}

/** POST /v1/sweeps body: the base spec and a grid of spec paths to values. */
export function sweepBody(spec: Record<string, unknown>, widths: unknown[]): Record<string, unknown> {
  return { ...(spec.name ? { name: spec.name } : {}), base: spec, grid: { 'student.width': widths } };
}

/** The form field an issue belongs to: the longest field path that is a prefix of the issue's path. */
export function fieldFor(issuePath: string, paths: readonly string[]): string | null {
  let best: string | null = null;
  for (const p of paths) {
    if ((issuePath === p || issuePath.startsWith(`${p}.`)) && (best === null || p.length > best.length)) best = p;
  }
  // Issues about the sweep's base spec ("base.student.width") belong to the same fields.
  if (best === null && issuePath.startsWith('base.')) return fieldFor(issuePath.slice('base.'.length), paths);
  if (best === null && (issuePath === 'grid' || issuePath.startsWith('grid.student.width'))) return SWEEP_WIDTHS;
  if (best === 'student.width' && !paths.includes('student.width')) return SWEEP_WIDTHS;
  return best;
}
