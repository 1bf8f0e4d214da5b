// The submit form: a simulation or a sweep over widths and any other spec fields (optionally with a
// much wider reference run, the mean-field reference L_ref), with priority and GPU placement,
// validated in the page with the contracts' zod schema, each error shown at its field; the API's
// own 400 issues are placed the same way. `#/new?from=<id>` opens it filled with
// a run's spec (clone and re-run); a spec or sweep can be pasted as YAML or JSON instead. A
// read-only key gets a sentence instead of the form.
import '../daily-loop.css';
import { apiRoutes, expandSweep, fieldIssues, specSchema, sweepRequestSchema, type FieldIssue, type SimulationReply } from '@mfsim/contracts';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { api, ApiError } from '../api.ts';
import { clear, h } from '../dom.ts';
import { currentRole, mayDo, READ_ONLY_TEXT } from '../role.ts';
import { specFields } from '../spec-fields.ts';
import { FIELDS, SWEEP_GRID, SWEEP_REFERENCE_REPLICAS, SWEEP_REFERENCE_WIDTH, SWEEP_WIDTHS, validate, valuesFromSpec, type Submission, type Values } from '../spec-form.ts';
import { stabilityWarning } from '../stability-warning.ts';
import { errorText, note, pageHeader, shortId } from '../ui.ts';

type Kind = 'simulation' | 'sweep' | 'paste';

/** Pasted text (JSON or YAML) as a submission: a sweep when it has a `grid`, else one simulation's spec. */
export function readPasted(text: string): Submission {
  let value: unknown;
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, issues: [{ path: 'paste', message: 'paste a spec or a sweep, as JSON or YAML' }] };
  try {
    value = trimmed.startsWith('{') ? JSON.parse(trimmed) : parseYaml(trimmed);
  } catch (err) {
    return { ok: false, issues: [{ path: 'paste', message: `not JSON or YAML: ${errorText(err).split('\n')[0]}` }] };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, issues: [{ path: 'paste', message: 'expected an object: a spec, or a sweep with base and grid' }] };
  const body = value as Record<string, unknown>;
  if ('grid' in body) {
    const request = sweepRequestSchema.safeParse(body);
    if (!request.success) return { ok: false, issues: fieldIssues(request.error) };
    const expanded = expandSweep(request.data, 0);
    return expanded.ok ? { ok: true, kind: 'sweep', body } : { ok: false, issues: expanded.issues };
  }
  const spec = specSchema.safeParse(body);
  return spec.success ? { ok: true, kind: 'simulation', body } : { ok: false, issues: fieldIssues(spec.error) };
}

export function newPage(root: HTMLElement, params: URLSearchParams, go: (hash: string) => void) {
  let stopped = false;
  const from = params.get('from');
  // The form at once (the role is known by the time anyone types); a read-only key then gets a sentence instead.
  if (from) root.replaceChildren(pageHeader('Clone and re-run'), note('Reading the run…'));
  else showForm(root, params, go, null);
  void currentRole().then(async (role) => {
    if (stopped) return;
    if (!mayDo(role, 'submit')) {
      root.replaceChildren(pageHeader('New simulation or sweep'), h('section.card.read-only', { 'data-testid': 'read-only' }, h('p', {}, READ_ONLY_TEXT)));
      return;
    }
    if (!from) return;
    try {
      const sim = await api<SimulationReply>(apiRoutes.simulations.get, { params: { id: from } });
      if (!stopped) showForm(root, params, go, sim);
    } catch (err) {
      if (stopped) return;
      root.replaceChildren(pageHeader('Clone and re-run'),
        note(err instanceof ApiError && err.status === 404 ? `No run ${from} to clone.` : `Could not read the run to clone: ${errorText(err)}`, 'error'));
    }
  });
  return () => {
    stopped = true;
  };
}

function showForm(root: HTMLElement, params: URLSearchParams, go: (hash: string) => void, source: SimulationReply | null) {
  const requested = params.get('kind');
  let kind: Kind = requested === 'sweep' || requested === 'paste' ? requested : 'simulation';
  // A clone: the run's spec in the fields; what the form has no field for is kept as it was.
  const clone = source ? valuesFromSpec({ ...source.spec, seed: source.seed }) : null;
  const fields = specFields(clone?.values ?? {});
  const rest = clone?.rest ?? {};
  const general = h('div.form-errors', { role: 'alert' });
  const submit = h('button.primary', { type: 'submit' });
  const paste = h('textarea', {
    name: 'paste', 'aria-label': 'spec or sweep as YAML or JSON', spellcheck: 'false',
    placeholder: 'A spec (seed, inputs, target, student, training, record, ...) or a sweep ({name, base, grid, replicas}), as YAML or JSON',
  });
  if (source) paste.value = toYaml({ ...source.spec, seed: source.seed });
  const pasteError = h('p.field-error', { 'data-for': 'paste' });
  const pasteBox = h('div.paste-box', { hidden: true },
    h('p.hint', {}, 'Paste a spec or a sweep as YAML or JSON (a sweep has base and grid). It is checked here as the API checks it.'),
    paste, pasteError,
    h('div.actions', {}, h('button', { type: 'button', 'data-testid': 'paste-to-form', onclick: () => pasteToForm() }, 'Fill the form from this')));
  const fieldsBox = h('div.fieldsets', {}, ...fields.fieldsets);

  function setKind(k: Kind) {
    kind = k;
    if (k !== 'paste') fields.setKind(k);
    fieldsBox.hidden = k === 'paste';
    pasteBox.hidden = k !== 'paste';
    warning.hidden = k === 'paste' || !warning.textContent;
    submit.textContent = k === 'sweep' ? 'Submit sweep' : k === 'simulation' ? 'Submit simulation' : 'Submit';
    kindSwitch.querySelectorAll('button').forEach((b) => b.setAttribute('aria-selected', String(b.dataset.kind === k)));
  }

  function showIssues(issues: FieldIssue[]) {
    if (kind === 'paste') {
      pasteError.textContent = '';
      clear(general, issues.length ? h('ul', {}, ...issues.map((i) => h('li', {}, i.path === 'paste' ? i.message : `${i.path}: ${i.message}`))) : null);
      return;
    }
    const unplaced = fields.showIssues(issues);
    clear(general, unplaced.length ? h('ul', {}, ...unplaced.map((i) => h('li', {}, `${i.path}: ${i.message}`))) : null);
    root.querySelector<HTMLElement>('.field.invalid input, .field.invalid select')?.focus();
  }

  /** Sets the fields' text as if typed, so the form's own state follows. */
  function fill(values: Values) {
    for (const f of FIELDS) {
      const input = fieldsBox.querySelector<HTMLInputElement | HTMLSelectElement>(`[name="${f.path}"]`);
      if (!input || values[f.path] === undefined) continue;
      input.value = values[f.path];
      input.dispatchEvent(new Event('change', { bubbles: true }));
    }
  }

  function pasteToForm() {
    const read = readPasted(paste.value);
    if (!read.ok) return showIssues(read.issues);
    const body = read.body;
    const spec = (read.kind === 'sweep' ? body.base : body) as Record<string, unknown>;
    const { values } = valuesFromSpec(spec);
    if (read.kind === 'sweep') {
      const grid = body.grid as Record<string, unknown[]>;
      values[SWEEP_WIDTHS] = (grid['student.width'] ?? []).join(', ');
      values[SWEEP_GRID] = Object.entries(grid).filter(([k]) => k !== 'student.width').map(([k, v]) => `${k} = ${v.join(', ')}`).join('; ');
      if (typeof body.name === 'string') values.name = body.name;
      const reference = body.reference as { width?: unknown; replicas?: unknown } | undefined;
      values[SWEEP_REFERENCE_WIDTH] = reference?.width === undefined ? '' : String(reference.width);
      values[SWEEP_REFERENCE_REPLICAS] = reference?.replicas === undefined ? '' : String(reference.replicas);
    }
    fill(values);
    showIssues([]);
    setKind(read.kind === 'sweep' ? 'sweep' : 'simulation');
    updateWarning();
  }

  // dt too large for the smallest width: narrow networks go unstable (science.md, "Stability").
  const warning = h('p.form-warning', { role: 'status', 'data-testid': 'dt-warning' });
  function updateWarning() {
    const widths = kind === 'sweep'
      ? fields.values[SWEEP_WIDTHS].split(',').map((w) => Number(w.trim()))
      : [Number(fields.values['student.width'])];
    const text = stabilityWarning(Number(fields.values['training.dt']), widths);
    warning.textContent = text ?? '';
    warning.hidden = text === null || kind === 'paste';
  }

  const kindSwitch = h('div.segmented', { role: 'tablist' },
    ...(['simulation', 'sweep', 'paste'] as const).map((k) => h('button', {
      type: 'button', role: 'tab', 'data-kind': k, 'aria-selected': String(k === kind),
      onclick: () => { showIssues([]); setKind(k); updateWarning(); },
    }, k === 'simulation' ? 'One simulation' : k === 'sweep' ? 'Sweep' : 'Paste YAML or JSON')));

  const form = h('form.card.spec-form', {
    novalidate: true,
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const result = kind === 'paste' ? readPasted(paste.value) : validate(kind, fields.values, rest);
      if (!result.ok) return showIssues(result.issues);
      showIssues([]);
      submit.disabled = true;
      try {
        const created = await api<{ id: string }>(result.kind === 'sweep' ? apiRoutes.sweeps.submit : apiRoutes.simulations.submit, { body: result.body });
        go(result.kind === 'sweep' ? `#/sweeps/${created.id}` : `#/simulations/${created.id}`);
      } catch (err) {
        if (err instanceof ApiError && err.issues.length) showIssues(err.issues);
        else clear(general, h('p', {}, `Not submitted: ${errorText(err)}`));
      } finally {
        submit.disabled = false;
      }
    },
  }, kindSwitch, fieldsBox, pasteBox, warning, general, h('div.actions', {}, submit));
  form.addEventListener('input', updateWarning);
  form.addEventListener('change', updateWarning);

  const cloneNote = source
    ? note(`Filled with the spec of ${source.name ?? `run ${shortId(source.id)}`} (seed ${source.seed}); change what you like and submit.` +
      (clone!.restPaths.length ? ` Kept as they were (no field for them here): ${clone!.restPaths.join(', ')}.` : ''))
    : null;
  cloneNote?.classList.add('clone-note');
  cloneNote?.setAttribute('data-testid', 'clone-note');
  root.replaceChildren(pageHeader(source ? 'Clone and re-run' : 'New simulation or sweep'), cloneNote ?? '', form);
  setKind(kind);
  updateWarning();
}
