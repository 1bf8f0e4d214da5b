// The submit form: a simulation or a sweep over widths, validated in the page with the contracts'
// zod schema, each error shown at its field; the API's own 400 issues are placed the same way.
import type { FieldIssue } from '@mfsim/contracts';
import { api, ApiError } from '../api.ts';
import { clear, h } from '../dom.ts';
import { defaultValues, FIELDS, fieldFor, validate, visible, type Values } from '../spec-form.ts';
import { errorText, pageHeader } from '../ui.ts';

export function newPage(root: HTMLElement, params: URLSearchParams, go: (hash: string) => void) {
  let kind: 'simulation' | 'sweep' = params.get('kind') === 'sweep' ? 'sweep' : 'simulation';
  const values: Values = defaultValues();
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement>();
  const wrappers = new Map<string, HTMLElement>();
  const errors = new Map<string, HTMLElement>();
  const general = h('div.form-errors', { role: 'alert' });
  const submit = h('button.primary', { type: 'submit' });

  const groups = [...new Set(FIELDS.map((f) => f.group))];
  const fieldsets = groups.map((g) =>
    h('fieldset', { 'data-group': g }, h('legend', {}, g),
      ...FIELDS.filter((f) => f.group === g).map((f) => {
        const id = `f-${f.path.replace(/\./g, '-')}`;
        const input = f.kind === 'select'
          ? h('select', { id, name: f.path }, ...f.options!.map((o) => h('option', { value: o }, o)))
          : h('input', { id, name: f.path, type: 'text', inputmode: f.kind === 'number' ? 'decimal' : null });
        input.value = f.value;
        input.addEventListener('change', () => { values[f.path] = input.value; syncVisibility(); });
        const error = h('p.field-error', { 'data-for': f.path });
        const wrap = h('div.field', { 'data-path': f.path }, h('label', { for: id }, f.label), input, f.hint ? h('p.hint', {}, f.hint) : null, error);
        // An edited field's error goes away until the next check.
        input.addEventListener('input', () => { values[f.path] = input.value; error.textContent = ''; wrap.classList.remove('invalid'); });
        inputs.set(f.path, input);
        wrappers.set(f.path, wrap);
        errors.set(f.path, error);
        return wrap;
      })));

  function syncVisibility() {
    for (const f of FIELDS) wrappers.get(f.path)!.hidden = !visible(f, values);
    const sweepSet = fieldsets[groups.indexOf('Sweep')];
    sweepSet.hidden = kind !== 'sweep';
    wrappers.get('student.width')!.hidden = kind === 'sweep';
    submit.textContent = kind === 'sweep' ? 'Submit sweep' : 'Submit simulation';
  }

  function showIssues(issues: FieldIssue[]) {
    for (const [path, e] of errors) { e.textContent = ''; wrappers.get(path)!.classList.remove('invalid'); }
    const paths = FIELDS.filter((f) => !wrappers.get(f.path)!.hidden).map((f) => f.path);
    const unplaced: FieldIssue[] = [];
    for (const issue of issues) {
      const path = fieldFor(issue.path, paths);
      if (path === null) { unplaced.push(issue); continue; }
      const e = errors.get(path)!;
      e.textContent = e.textContent ? `${e.textContent}; ${issue.message}` : issue.message;
      wrappers.get(path)!.classList.add('invalid');
    }
    clear(general, unplaced.length ? h('ul', {}, ...unplaced.map((i) => h('li', {}, `${i.path}: ${i.message}`))) : null);
    const first = root.querySelector<HTMLElement>('.field.invalid input, .field.invalid select');
    first?.focus();
  }

  const kindSwitch = h('div.segmented', { role: 'tablist' },
    ...(['simulation', 'sweep'] as const).map((k) => h('button', {
      type: 'button', role: 'tab', 'data-kind': k, 'aria-selected': String(k === kind),
      onclick: (e: Event) => {
        kind = k;
        kindSwitch.querySelectorAll('button').forEach((b) => b.setAttribute('aria-selected', String(b === e.currentTarget)));
        syncVisibility();
      },
    }, k === 'simulation' ? 'One simulation' : 'Sweep over widths')));

  const form = h('form.card.spec-form', {
    novalidate: true,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const result = validate(kind, values);
      if (!result.ok) return showIssues(result.issues);
      showIssues([]);
      submit.disabled = true;
      try {
        const created = await api<{ id: string }>(result.kind === 'sweep' ? '/v1/sweeps' : '/v1/simulations', { method: 'POST', body: result.body });
        go(result.kind === 'sweep' ? `#/sweeps/${created.id}` : `#/simulations/${created.id}`);
      } catch (err) {
        if (err instanceof ApiError && err.issues.length) showIssues(err.issues);
        else clear(general, h('p', {}, `Not submitted: ${errorText(err)}`));
      } finally {
        submit.disabled = false;
      }
    },
  }, kindSwitch, h('div.fieldsets', {}, ...fieldsets), general, h('div.actions', {}, submit));

  root.replaceChildren(pageHeader('New simulation or sweep'), form);
  syncVisibility();
}
