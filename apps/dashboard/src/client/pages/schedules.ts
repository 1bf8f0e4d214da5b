// Schedules: each with its cron pattern, next firing, pause and resume, delete, and the sweeps it
// created; and a form that creates one (pattern, time zone, sweep template), checked in the page
// with the contracts' schedule request schema, each error at its field.
import { apiRoutes, type FieldIssue } from '@mfsim/contracts';
import { api, ApiError } from '../api.ts';
import { clear, fmtDate, h } from '../dom.ts';
import { browserTimeZone, SCHEDULE_FIELDS, scheduleFieldFor, timeZones, validateSchedule, type ScheduleValues } from '../schedule-form.ts';
import { specFields } from '../spec-fields.ts';
import type { Page, ScheduleReply, SweepSummary } from '../types.ts';
import { errorText, note, pageHeader, shortId, statusBadge } from '../ui.ts';
import { scheduleTitle } from '../sweep-children.ts';

const PATTERN_EXAMPLES: [string, string][] = [
  ['0 3 * * *', 'every day at 03:00'],
  ['0 */6 * * *', 'every 6 hours'],
  ['30 2 * * 1', 'Mondays at 02:30'],
];

export function schedulesPage(root: HTMLElement) {
  let stopped = false;
  const body = h('div');
  const status = h('div', { role: 'status' });
  const formCard = scheduleForm({
    onCreated: (s) => {
      formCard.hidden = true;
      newButton.hidden = false;
      clear(status, note(`Schedule “${scheduleTitle(s)}” created; it fires next ${fmtDate(s.nextFireAt)}.`, 'success'));
      load();
    },
    onClose: () => {
      formCard.hidden = true;
      newButton.hidden = false;
    },
  });
  formCard.hidden = true;
  const openForm = () => {
    formCard.hidden = false;
    newButton.hidden = true;
    clear(status);
    formCard.querySelector<HTMLInputElement>(`[name="${SCHEDULE_FIELDS.pattern}"]`)?.focus();
  };
  const newButton = h('button.primary', { type: 'button', 'data-testid': 'new-schedule', onclick: openForm }, 'New schedule');

  async function load() {
    try {
      const schedules = (await api<Page<ScheduleReply>>(apiRoutes.schedules.list, { query: { limit: 500 } })).items;
      const sweeps = await Promise.all(schedules.map((s) =>
        api<Page<SweepSummary>>(apiRoutes.sweeps.list, { query: { scheduleId: s.id, limit: 10 } }).then((p) => p.items, () => [] as SweepSummary[])));
      if (stopped) return;
      if (schedules.length === 0) {
        clear(body, h('div.card.empty', {},
          h('p', {}, 'No schedules yet. A schedule submits a sweep on a cron pattern, in a time zone.'),
          h('button', { type: 'button', onclick: openForm }, 'Create the first one')));
        return;
      }
      clear(body, ...schedules.map((s, i) => scheduleCard(s, sweeps[i])));
    } catch (err) {
      if (!stopped) clear(body, note(`Could not load schedules: ${errorText(err)}`, 'error'));
    }
  }

  function scheduleCard(s: ScheduleReply, sweeps: SweepSummary[]) {
    const error = h('p.field-error', { role: 'alert' });
    const actions = h('div.actions.card-actions');
    const card = h('section.card', { 'data-id': s.id },
      h('div.card-head', {},
        h('h2', { title: `schedule ${s.id}` }, scheduleTitle(s)),
        statusBadge(s.paused ? 'paused' : 'active'),
        actions),
      error,
      h('dl.kv', {},
        h('dt', {}, 'pattern'), h('dd', {}, h('code', {}, s.pattern), ` (${s.timeZone})`),
        h('dt', {}, 'next firing'), h('dd', {}, s.paused ? 'paused' : fmtDate(s.nextFireAt)),
        h('dt', {}, 'sweep'), h('dd', {}, Object.entries(s.sweep.grid).map(([k, v]) => `${k} ∈ {${v.join(', ')}}`).join(' × ')),
        h('dt', {}, 'sweeps created'), h('dd', {}, String(s.sweeps), s.sweeps > 0 ? h('span', {}, ' · ', h('a', { href: `#/sweeps?scheduleId=${s.id}`, 'data-testid': 'schedule-sweeps' }, s.sweeps > sweeps.length ? `all ${s.sweeps}` : 'as a list')) : null)),
      sweeps.length === 0 ? null : h('ul.plain', {}, ...sweeps.map((w) =>
        h('li', {}, h('a', { href: `#/sweeps/${w.id}` }, w.name ?? shortId(w.id)), ' ', statusBadge(w.status), ' ', h('span.muted', {}, fmtDate(w.createdAt))))),
    );

    const act = async (what: 'delete' | 'pause' | 'resume') => {
      actions.querySelectorAll('button').forEach((b) => (b.disabled = true));
      error.textContent = '';
      try {
        await api(apiRoutes.schedules[what], { params: { id: s.id } });
        await load();
      } catch (err) {
        error.textContent = `Could not ${what}: ${errorText(err)}`;
        showActions();
      }
    };
    // Deleting asks once more, in place.
    const confirmDelete = () => clear(actions,
      h('span.muted', {}, 'Delete this schedule?'),
      h('button.danger', { type: 'button', 'data-action': 'confirm-delete', onclick: () => act('delete') }, 'Delete'),
      h('button', { type: 'button', onclick: () => showActions() }, 'Keep'));
    const showActions = () => clear(actions,
      h('button', { type: 'button', 'data-action': s.paused ? 'resume' : 'pause', onclick: () => act(s.paused ? 'resume' : 'pause') },
        s.paused ? 'Resume' : 'Pause'),
      h('button.danger-outline', { type: 'button', 'data-action': 'delete', onclick: confirmDelete }, 'Delete'));
    showActions();
    return card;
  }

  root.replaceChildren(pageHeader('Schedules', newButton), status, formCard, body);
  load();
  return () => {
    stopped = true;
  };
}

/** The create form: the schedule's own fields first, then the sweep it submits at each firing. */
export function scheduleForm(options: { onCreated: (s: ScheduleReply) => void; onClose?: () => void }) {
  const fields = specFields({ name: 'nightly widths' });
  fields.setKind('sweep');
  const general = h('div.form-errors', { role: 'alert' });
  const submit = h('button.primary', { type: 'submit' }, 'Create schedule');
  const own = new Map<string, { input: HTMLInputElement; wrap: HTMLElement; error: HTMLElement }>();

  const zoneList = h('datalist#time-zones', {}, ...timeZones().map((z) => h('option', { value: z })));
  const ownField = (path: string, label: string, value: string, hint: string | Node, extra: Record<string, string> = {}) => {
    const id = `f-${path.replace(/\./g, '-')}`;
    const input = h('input', { id, name: path, type: 'text', autocomplete: 'off', value, ...extra });
    const error = h('p.field-error', { 'data-for': path });
    const wrap = h('div.field', { 'data-path': path }, h('label', { for: id }, label), input, h('p.hint', {}, hint), error);
    input.addEventListener('input', () => { error.textContent = ''; wrap.classList.remove('invalid'); });
    own.set(path, { input, wrap, error });
    return wrap;
  };
  const examples = h('span', {}, '5 fields: minute hour day month weekday (6 with seconds first). ',
    ...PATTERN_EXAMPLES.flatMap(([p, what], i) => [i ? ', ' : 'e.g. ', h('button.chip', { type: 'button', title: what, onclick: () => {
      const f = own.get(SCHEDULE_FIELDS.pattern)!;
      f.input.value = p;
      f.input.dispatchEvent(new Event('input'));
    } }, p), ` ${what}`]));
  const scheduleSet = h('fieldset', { 'data-group': 'Schedule' }, h('legend', {}, 'Schedule'),
    ownField(SCHEDULE_FIELDS.name, 'Schedule name', '', 'optional'),
    ownField(SCHEDULE_FIELDS.pattern, 'Cron pattern', '0 3 * * *', examples, { spellcheck: 'false' }),
    ownField(SCHEDULE_FIELDS.timeZone, 'Time zone', browserTimeZone(), 'an IANA zone like Europe/Paris; empty: UTC', { list: 'time-zones' }),
    zoneList);
  // The spec's "Run" name is the name of each sweep made.
  const runName = fields.fieldsets.find((f) => f.dataset.group === 'Run')?.querySelector('label[for="f-name"]');
  if (runName) runName.textContent = 'Sweep name';

  function values(): ScheduleValues {
    return {
      name: own.get(SCHEDULE_FIELDS.name)!.input.value,
      pattern: own.get(SCHEDULE_FIELDS.pattern)!.input.value,
      timeZone: own.get(SCHEDULE_FIELDS.timeZone)!.input.value,
    };
  }

  function showIssues(issues: FieldIssue[]) {
    for (const { wrap, error } of own.values()) { error.textContent = ''; wrap.classList.remove('invalid'); }
    const mine = issues.filter((i) => own.has(scheduleFieldFor(i.path, []) ?? ''));
    for (const issue of mine) {
      const f = own.get(scheduleFieldFor(issue.path, [])!)!;
      f.error.textContent = f.error.textContent ? `${f.error.textContent}; ${issue.message}` : issue.message;
      f.wrap.classList.add('invalid');
    }
    const unplaced = fields.showIssues(issues.filter((i) => !mine.includes(i)), scheduleFieldFor);
    clear(general, unplaced.length ? h('ul', {}, ...unplaced.map((i) => h('li', {}, `${i.path}: ${i.message}`))) : null);
    form.querySelector<HTMLElement>('.field.invalid input, .field.invalid select')?.focus();
  }

  const form: HTMLFormElement = h('form.card.spec-form.schedule-form', {
    novalidate: true,
    'data-testid': 'schedule-form',
    onsubmit: async (e: Event) => {
      e.preventDefault();
      const result = validateSchedule(values(), fields.values);
      if (!result.ok) return showIssues(result.issues);
      showIssues([]);
      submit.disabled = true;
      try {
        options.onCreated(await api<ScheduleReply>(apiRoutes.schedules.create, { body: result.body }));
      } catch (err) {
        if (err instanceof ApiError && err.issues.length) showIssues(err.issues);
        else clear(general, h('p', {}, `Not created: ${errorText(err)}`));
      } finally {
        submit.disabled = false;
      }
    },
  },
  h('div.card-head', {}, h('h2', {}, 'New schedule'), h('span.muted', {}, 'At each firing it submits the sweep below.')),
  h('div.fieldsets', {}, scheduleSet, ...fields.fieldsets),
  general,
  h('div.actions', {}, submit, options.onClose ? h('button', { type: 'button', onclick: options.onClose }, 'Cancel') : null));
  return form;
}
