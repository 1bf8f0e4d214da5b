// The submit form: a simulation or a sweep over widths, validated in the page with the contracts'
// zod schema, each error shown at its field; the API's own 400 issues are placed the same way.
import type { FieldIssue } from '@mfsim/contracts';
import { api, ApiError } from '../api.ts';
import { clear, h } from '../dom.ts';
import { specFields } from '../spec-fields.ts';
import { SWEEP_WIDTHS, validate } from '../spec-form.ts';
import { stabilityWarning } from '../stability-warning.ts';
import { errorText, pageHeader } from '../ui.ts';

export function newPage(root: HTMLElement, params: URLSearchParams, go: (hash: string) => void) {
  let kind: 'simulation' | 'sweep' = params.get('kind') === 'sweep' ? 'sweep' : 'simulation';
  const fields = specFields();
  const general = h('div.form-errors', { role: 'alert' });
  const submit = h('button.primary', { type: 'submit' });

  function setKind(k: typeof kind) {
    kind = k;
    fields.setKind(k);
    submit.textContent = kind === 'sweep' ? 'Submit sweep' : 'Submit simulation';
  }

  function showIssues(issues: FieldIssue[]) {
    const unplaced = fields.showIssues(issues);
    clear(general, unplaced.length ? h('ul', {}, ...unplaced.map((i) => h('li', {}, `${i.path}: ${i.message}`))) : null);
    root.querySelector<HTMLElement>('.field.invalid input, .field.invalid select')?.focus();
  }

  // dt too large for the smallest width: narrow networks go unstable (science.md, "Stability").
  const warning = h('p.form-warning', { role: 'status', 'data-testid': 'dt-warning' });
  function updateWarning() {
    const widths = kind === 'sweep'
      ? fields.values[SWEEP_WIDTHS].split(',').map((w) => Number(w.trim()))
      : [Number(fields.values['student.width'])];
    const text = stabilityWarning(Number(fields.values['training.dt']), widths);
    warning.textContent = text ?? '';
    warning.hidden = text === null;
  }

  const kindSwitch = h('div.segmented', { role: 'tablist' },
    ...(['simulation', 'sweep'] as const).map((k) => h('button', {
      type: 'button', role: 'tab', 'data-kind': k, 'aria-selected': String(k === kind),
      onclick: (e: Event) => {
        kindSwitch.querySelectorAll('button').forEach((b) => b.setAttribute('aria-selected', String(b === e.currentTarget)));
        setKind(k);
      },
    }, k === 'simulation' ? 'One simulation' : 'Sweep over widths')));

  const form = h('form.card.spec-form', {
    novalidate: true,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const result = validate(kind, fields.values);
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
  }, kindSwitch, h('div.fieldsets', {}, ...fields.fieldsets), warning, general, h('div.actions', {}, submit));
  form.addEventListener('input', updateWarning);
  form.addEventListener('change', updateWarning);
  form.addEventListener('click', updateWarning); // the kind switch

  root.replaceChildren(pageHeader('New simulation or sweep'), form);
  setKind(kind);
  updateWarning();
}
