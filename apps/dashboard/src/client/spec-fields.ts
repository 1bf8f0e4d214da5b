// The spec's fields as form controls, grouped in fieldsets, each with its error line: used by the
// submit form (a simulation or a sweep) and by the schedule form (a sweep template).
import type { FieldIssue } from '@mfsim/contracts';
import { h } from './dom.ts';
import { defaultValues, FIELDS, fieldFor, visible, type Values } from './spec-form.ts';

export interface SpecFields {
  /** The fieldsets, to place in a form. */
  fieldsets: HTMLFieldSetElement[];
  /** The current text of every field, by spec path. */
  values: Values;
  /** Simulation: one width field; sweep: the widths field instead. */
  setKind(kind: 'simulation' | 'sweep'): void;
  /** Paths of the fields shown now. */
  visiblePaths(): string[];
  /** Clears every error, then puts each issue at the field `place` names; returns those it could not place. */
  showIssues(issues: FieldIssue[], place?: (issuePath: string, paths: readonly string[]) => string | null): FieldIssue[];
}

export function specFields(initial: Partial<Values> = {}): SpecFields {
  let kind: 'simulation' | 'sweep' = 'simulation';
  const values: Values = { ...defaultValues(), ...(initial as Values) };
  const wrappers = new Map<string, HTMLElement>();
  const errors = new Map<string, HTMLElement>();
  const groups = [...new Set(FIELDS.map((f) => f.group))];

  const fieldsets = groups.map((g) =>
    h('fieldset', { 'data-group': g }, h('legend', {}, g),
      ...FIELDS.filter((f) => f.group === g).map((f) => {
        const id = `f-${f.path.replace(/\./g, '-')}`;
        const input = f.kind === 'select'
          ? h('select', { id, name: f.path }, ...f.options!.map((o) => h('option', { value: o }, o)))
          : h('input', { id, name: f.path, type: 'text', inputmode: f.kind === 'number' ? 'decimal' : null });
        input.value = values[f.path];
        input.addEventListener('change', () => { values[f.path] = input.value; sync(); });
        const error = h('p.field-error', { 'data-for': f.path });
        const wrap = h('div.field', { 'data-path': f.path }, h('label', { for: id }, f.label), input, f.hint ? h('p.hint', {}, f.hint) : null, error);
        // An edited field's error goes away until the next check.
        input.addEventListener('input', () => { values[f.path] = input.value; error.textContent = ''; wrap.classList.remove('invalid'); });
        wrappers.set(f.path, wrap);
        errors.set(f.path, error);
        return wrap;
      })));

  function sync() {
    for (const f of FIELDS) wrappers.get(f.path)!.hidden = !visible(f, values);
    fieldsets[groups.indexOf('Sweep')].hidden = kind !== 'sweep';
    wrappers.get('student.width')!.hidden = kind === 'sweep';
  }

  const visiblePaths = () => FIELDS.filter((f) => !wrappers.get(f.path)!.hidden && !wrappers.get(f.path)!.closest('fieldset')!.hidden).map((f) => f.path);

  function showIssues(issues: FieldIssue[], place = fieldFor): FieldIssue[] {
    for (const [path, e] of errors) { e.textContent = ''; wrappers.get(path)!.classList.remove('invalid'); }
    const paths = visiblePaths();
    const unplaced: FieldIssue[] = [];
    for (const issue of issues) {
      const path = place(issue.path, paths);
      const e = path === null ? undefined : errors.get(path);
      if (!e) { unplaced.push(issue); continue; }
      e.textContent = e.textContent ? `${e.textContent}; ${issue.message}` : issue.message;
      wrappers.get(path!)!.classList.add('invalid');
    }
    return unplaced;
  }

  sync();
  return { fieldsets, values, setKind: (k) => { kind = k; sync(); }, visiblePaths, showIssues };
}
