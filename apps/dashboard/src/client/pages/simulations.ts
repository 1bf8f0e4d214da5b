// The list of simulations: live status and progress; metric columns (final and best test loss,
// final train loss, width, dynamics, dt, steps, run time), sorted by the API when a header is
// clicked; filters on several statuses, the search, and any spec field; grouped by sweep; runs
// picked to compare. The URL holds every filter, so a view can be shared.
import '../daily-loop.css';
import { apiRoutes, SIMULATION_STATUSES, FINAL_STATUSES, type SimulationReply } from '@mfsim/contracts';
import { api, ApiError } from '../api.ts';
import { clear, fmt, fmtDate, fmtSeconds, h } from '../dom.ts';
import { currentRole, mayDo } from '../role.ts';
import { COLUMNS, groupBySweep, listQuery, metric, nextSort, parseSpecFilters, readListState, sortMark, specFiltersText, type Column, type ListState } from '../run-list.ts';
import { compareHash, MAX_COMPARED, selection } from '../selection.ts';
import { exportButton, selectionZip } from '../export-zip.ts';
import type { Page, SweepReply } from '../types.ts';
import { errorText, note, pageHeader, progressBar, shortId, statusBadge } from '../ui.ts';

const POLL_MS = 1500;
const PAGE_SIZE = 50;

export function simulationsPage(root: HTMLElement, params: URLSearchParams, go: (hash: string) => void) {
  const state = readListState(params);
  const cursors: (string | null)[] = [null]; // cursor of each page seen, for "previous"
  let pageIndex = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const sweepNames = new Map<string, Promise<string>>();

  const table = h('div.table-wrap');
  const pager = h('div.pager');
  const filterError = h('p.field-error', { role: 'alert', 'data-testid': 'filter-error' });
  const compareButton = h('a.button', { 'data-testid': 'compare-selected' });
  const clearSelection = h('button.link', { type: 'button', onclick: () => { selection.clear(); updateCompare(); load(); } }, 'clear');
  const newLink = h('a.button.primary', { href: '#/new', hidden: true }, 'New simulation or sweep');
  const exportZip = exportButton('Export selected (zip)', () => {
    const ids = selection.ids();
    return ids.length ? { zip: selectionZip(ids), filename: `mfsim-${ids.length}-runs.zip` } : null;
  }, 'export-selected');
  void currentRole().then((r) => { newLink.hidden = !mayDo(r, 'submit'); });

  function updateCompare() {
    const ids = selection.ids();
    compareButton.textContent = `Compare ${ids.length} selected`;
    compareButton.setAttribute('href', ids.length >= 1 ? compareHash(ids) : '#/simulations');
    compareButton.classList.toggle('disabled', ids.length === 0);
    compareButton.title = ids.length ? '' : `Tick up to ${MAX_COMPARED} runs to compare their curves and specs`;
    clearSelection.hidden = ids.length === 0;
    exportZip.button.disabled = ids.length === 0;
  }

  // ---- filters -------------------------------------------------------------------------------
  const navigate = (next: Partial<ListState>) => go(`#/simulations${qs(listQuery({ ...state, ...next }))}`);
  const qs = (q: URLSearchParams) => (q.toString() ? `?${q.toString()}` : '');

  const statusBoxes = SIMULATION_STATUSES.map((s) => {
    const box = h('input', { type: 'checkbox', name: 'status', value: s, ...(state.statuses.includes(s) && { checked: true }) });
    return h('label.chip', { 'data-status-filter': s }, box, s);
  });
  const search = h('input', { name: 'q', type: 'search', placeholder: 'search name, note, tags', 'aria-label': 'search', value: state.q });
  const name = h('input', { name: 'name', placeholder: 'name contains', value: state.name });
  const tag = h('input', { name: 'tag', placeholder: 'tag', value: state.tag });
  const specFilter = h('input.wide', {
    name: 'spec', placeholder: 'spec fields, e.g. student.width=256, training.dynamics=sgd', 'aria-label': 'spec filters',
    value: specFiltersText(state.spec),
  });
  const group = h('input', { type: 'checkbox', name: 'group', ...(state.group && { checked: true }) });
  const filterForm = h('form.filters.filters-wrap', {
    onsubmit: (e: Event) => {
      e.preventDefault();
      const spec = parseSpecFilters(specFilter.value);
      if (!spec.ok) {
        filterError.textContent = `spec filter: ${spec.message}`;
        return;
      }
      navigate({
        q: search.value.trim(), name: name.value.trim(), tag: tag.value.trim(), spec: spec.filters, group: group.checked,
        statuses: statusBoxes.map((l) => l.querySelector('input')!).filter((b) => b.checked).map((b) => b.value),
      });
    },
  },
  h('div.filter-row', {}, search, name, tag, specFilter, h('button', { type: 'submit' }, 'Filter')),
  h('div.filter-row', {}, h('span.muted', {}, 'Status:'), ...statusBoxes, h('span.spacer'),
    h('label.chip', { title: 'Rows of one sweep together, under its name' }, group, 'group by sweep'),
    state.sweepId ? h('span.chip.active', {}, `sweep ${shortId(state.sweepId)} `, h('a', { href: `#/simulations${qs(listQuery({ ...state, sweepId: '' }))}`, title: 'show every run' }, '×')) : null),
  );
  for (const input of [...statusBoxes.map((l) => l.querySelector('input')!), group]) input.addEventListener('change', () => filterForm.requestSubmit());

  // ---- loading -------------------------------------------------------------------------------
  async function load() {
    if (timer) clearTimeout(timer);
    try {
      const q = listQuery(state, true);
      q.set('limit', String(PAGE_SIZE));
      if (cursors[pageIndex]) q.set('cursor', cursors[pageIndex]!);
      const page = await api<Page<SimulationReply>>(apiRoutes.simulations.list, { query: Object.fromEntries(q) });
      if (stopped) return;
      filterError.textContent = '';
      render(page);
      // Live: poll the page while anything on it can still change.
      if (page.items.some((s) => !FINAL_STATUSES.includes(s.status))) timer = setTimeout(load, POLL_MS);
    } catch (err) {
      if (stopped) return;
      if (err instanceof ApiError && err.status === 400) {
        filterError.textContent = err.issues.length ? err.issues.map((i) => `${i.path}: ${i.message}`).join('; ') : err.message;
        clear(table, note('No list for these filters: see the message above.'));
      } else clear(table, note(`Could not load simulations: ${errorText(err)}`, 'error'));
    }
  }

  function sweepName(id: string): Promise<string> {
    if (!sweepNames.has(id)) sweepNames.set(id, api<SweepReply>(apiRoutes.sweeps.get, { params: { id } }).then((s) => s.name ?? `Sweep ${shortId(id)}`, () => `Sweep ${shortId(id)}`));
    return sweepNames.get(id)!;
  }

  function header(c: Column) {
    const next = nextSort(state.sort, c);
    const label = `${c.label}${sortMark(state.sort, c)}`;
    return h(c.numeric ? 'th.num' as 'th' : 'th', { 'data-col': c.key, ...(state.sort.replace(/^-/, '') === c.sort && { 'aria-sort': state.sort.startsWith('-') ? 'descending' : 'ascending' }) },
      next ? h('button.sort', { type: 'button', title: `sort by ${c.label.toLowerCase()}`, onclick: () => navigate({ sort: next }) }, label) : label);
  }

  function cell(s: SimulationReply, c: Column): Node | string {
    switch (c.key) {
      case 'name':
        return h('span', {}, h('a', { href: `#/simulations/${s.id}` }, s.name ?? shortId(s.id)),
          ...s.tags.map((t) => h('a.tag', { href: `#/simulations?tag=${encodeURIComponent(t)}` }, t)),
          s.sweepId && !state.group ? h('a.tag.tag-sweep', { href: `#/sweeps/${s.sweepId}` }, 'sweep') : null);
      case 'status': return statusBadge(s.status);
      case 'progress': return progressBar(s.progress);
      case 'finalTestLoss': case 'bestTestLoss': case 'finalTrainLoss': return fmt(metric(s, c.key));
      case 'width': return String(s.spec.student.width);
      case 'dynamics': return s.spec.training.dynamics;
      case 'dt': return fmt(s.spec.training.dt);
      case 'steps': return String(s.spec.training.steps);
      case 'runSeconds': return fmtSeconds(s.runSeconds);
      case 'createdAt': return fmtDate(s.createdAt);
      default: return '';
    }
  }

  function row(s: SimulationReply) {
    const box = h('input', {
      type: 'checkbox', 'aria-label': `compare ${s.name ?? shortId(s.id)}`, 'data-select': s.id, ...(selection.has(s.id) && { checked: true }),
      onchange: (e: Event) => { selection.set(s.id, (e.currentTarget as HTMLInputElement).checked); updateCompare(); },
    });
    return h('tr', { 'data-id': s.id }, h('td.pick', {}, box), ...COLUMNS.map((c) => h(c.numeric ? 'td.num' as 'td' : 'td', { 'data-col': c.key }, cell(s, c))));
  }

  function groupRow(sweepId: string | null, items: SimulationReply[]) {
    const title = h('strong', {}, sweepId ? `Sweep ${shortId(sweepId)}` : 'Not in a sweep');
    if (sweepId) void sweepName(sweepId).then((n) => { title.textContent = n; });
    const ids = items.map((s) => s.id).slice(0, MAX_COMPARED);
    return h('tr.group-row', { 'data-group': sweepId ?? 'none' }, h('td', { colspan: COLUMNS.length + 1 },
      title, h('span.muted', {}, ` · ${items.length} run${items.length === 1 ? '' : 's'} on this page`),
      sweepId ? h('span', {}, ' · ', h('a', { href: `#/sweeps/${sweepId}` }, 'sweep page'), ' · ', h('a', { href: compareHash(ids) }, 'compare these')) : null));
  }

  function render(page: Page<SimulationReply>) {
    cursors[pageIndex + 1] = page.nextCursor;
    updateCompare();
    if (page.items.length === 0) {
      const filtered = listQuery(state, true).toString() !== '';
      clear(table, note(pageIndex > 0 ? 'No more simulations.' : filtered ? 'No simulations match these filters.' : 'No simulations yet. Submit one from “New”.'));
    } else {
      const body = state.group
        ? groupBySweep(page.items).flatMap((g) => [groupRow(g.sweepId, g.items), ...g.items.map(row)])
        : page.items.map(row);
      clear(table, h('table.data.runs', {},
        h('thead', {}, h('tr', {}, h('th.pick', { title: 'pick to compare' }, '⇄'), ...COLUMNS.map(header))),
        h('tbody', {}, ...body)));
    }
    clear(
      pager,
      h('button', { disabled: pageIndex === 0, onclick: () => { pageIndex--; load(); } }, '← Previous'),
      h('span.muted', {}, `page ${pageIndex + 1}`),
      h('button', { disabled: !page.nextCursor, 'data-testid': 'next-page', onclick: () => { pageIndex++; load(); } }, 'Next →'),
    );
  }

  root.replaceChildren(
    pageHeader('Simulations', h('span.compare-actions', {}, compareButton, exportZip.el, clearSelection), newLink),
    filterForm, filterError, table, pager,
  );
  updateCompare();
  load();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
