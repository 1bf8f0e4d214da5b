// The list of simulations: live status and progress, filters, cursor paging.
import { SIMULATION_STATUSES, FINAL_STATUSES, type SimulationReply } from '@mfsim/contracts';
import { api, ApiError, query } from '../api.ts';
import { clear, fmtDate, fmtSeconds, h } from '../dom.ts';
import type { Page } from '../types.ts';
import { errorText, note, pageHeader, progressBar, shortId, statusBadge } from '../ui.ts';

export interface ListFilters {
  status?: string;
  name?: string;
  tag?: string;
  /** Search: part of the name or note, or a tag. */
  q?: string;
}

const POLL_MS = 1500;

export function simulationsPage(root: HTMLElement, params: URLSearchParams, go: (hash: string) => void) {
  const filters: ListFilters = { status: params.get('status') ?? '', name: params.get('name') ?? '', tag: params.get('tag') ?? '', q: params.get('q') ?? '' };
  const cursors: (string | null)[] = [null]; // cursor of each page seen, for "previous"
  let pageIndex = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const table = h('div.table-wrap');
  const pager = h('div.pager');
  const filterError = h('p.field-error', { role: 'alert' });

  const status = h('select', { name: 'status', 'aria-label': 'status' }, h('option', { value: '' }, 'any status'),
    ...SIMULATION_STATUSES.map((s) => h('option', { value: s }, s)));
  status.value = filters.status ?? '';
  const name = h('input', { name: 'name', placeholder: 'name contains', value: filters.name });
  const tag = h('input', { name: 'tag', placeholder: 'tag', value: filters.tag });
  const search = h('input', { name: 'q', type: 'search', placeholder: 'search name, note, tags', 'aria-label': 'search', value: filters.q });
  const filterForm = h(
    'form.filters',
    {
      onsubmit: (e: Event) => {
        e.preventDefault();
        go(`#/simulations${query({ status: status.value, name: name.value.trim(), tag: tag.value.trim(), q: search.value.trim() })}`);
      },
    },
    search, status, name, tag,
    h('button', { type: 'submit' }, 'Filter'),
  );
  status.addEventListener('change', () => filterForm.requestSubmit());

  async function load() {
    if (timer) clearTimeout(timer);
    try {
      const page = await api<Page<SimulationReply>>(
        `/v1/simulations${query({ limit: 20, cursor: cursors[pageIndex], status: filters.status, name: filters.name, tag: filters.tag, q: filters.q })}`,
      );
      if (stopped) return;
      filterError.textContent = '';
      render(page);
      // Live: poll the page while anything on it can still change.
      if (page.items.some((s) => !FINAL_STATUSES.includes(s.status))) timer = setTimeout(load, POLL_MS);
    } catch (err) {
      if (stopped) return;
      if (err instanceof ApiError && err.status === 400 && err.issues.length) {
        filterError.textContent = err.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
      } else clear(table, note(`Could not load simulations: ${errorText(err)}`, 'error'));
    }
  }

  function render(page: Page<SimulationReply>) {
    cursors[pageIndex + 1] = page.nextCursor;
    if (page.items.length === 0) {
      clear(table, note(pageIndex === 0 ? 'No simulations yet. Submit one from “New”.' : 'No more simulations.'));
    } else {
      clear(
        table,
        h('table.data', {},
          h('thead', {}, h('tr', {}, ...['Name', 'Status', 'Progress', 'Width', 'Replicas', 'Backend', 'Created', 'Run time'].map((t) => h('th', {}, t)))),
          h('tbody', {}, ...page.items.map((s) =>
            h('tr', { 'data-id': s.id },
              h('td', {}, h('a', { href: `#/simulations/${s.id}` }, s.name ?? shortId(s.id)), s.sweepId ? h('a.tag', { href: `#/sweeps/${s.sweepId}` }, 'sweep') : null),
              h('td', {}, statusBadge(s.status)),
              h('td', {}, progressBar(s.progress)),
              h('td.num', {}, String(s.spec.student.width)),
              h('td.num', {}, String(s.spec.replicas)),
              h('td', {}, s.backend ?? '—'),
              h('td', {}, fmtDate(s.createdAt)),
              h('td.num', {}, fmtSeconds(s.runSeconds)),
            ),
          )),
        ),
      );
    }
    clear(
      pager,
      h('button', { disabled: pageIndex === 0, onclick: () => { pageIndex--; load(); } }, '← Newer'),
      h('span.muted', {}, `page ${pageIndex + 1}`),
      h('button', { disabled: !page.nextCursor, 'data-testid': 'next-page', onclick: () => { pageIndex++; load(); } }, 'Older →'),
    );
  }

  root.replaceChildren(
    pageHeader('Simulations', h('a.button.primary', { href: '#/new' }, 'New simulation or sweep')),
    filterForm, filterError, table, pager,
  );
  load();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
