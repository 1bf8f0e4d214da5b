// Stored datasets: the list (GET /v1/datasets, cursor pages) and deleting one (DELETE
// /v1/datasets/{id}), asked once more in place, with the API's answer shown as it gave it (a refusal
// names the runs that still use the dataset).
import '../daily-loop.css';
import { z } from 'zod';
import { apiRoutes, type datasetSchema } from '@mfsim/contracts';
import { api, ApiError } from '../api.ts';
import { clear, fmtDate, h } from '../dom.ts';
import { currentRole, mayDo } from '../role.ts';
import type { Page } from '../types.ts';
import { errorText, note, pageHeader, shortId } from '../ui.ts';

type Dataset = z.infer<typeof datasetSchema>;

export function datasetsPage(root: HTMLElement) {
  const cursors: (string | null)[] = [null];
  let pageIndex = 0;
  let stopped = false;
  let mayDelete = false;
  const status = h('div', { role: 'status', 'data-testid': 'dataset-status' });
  const table = h('div.table-wrap');
  const pager = h('div.pager');

  async function load() {
    try {
      const page = await api<Page<Dataset>>(apiRoutes.datasets.list, { query: { limit: 50, cursor: cursors[pageIndex] } });
      if (stopped) return;
      cursors[pageIndex + 1] = page.nextCursor;
      render(page);
    } catch (err) {
      if (stopped) return;
      clear(table, note(err instanceof ApiError && (err.status === 404 || err.status === 405)
        ? 'This API cannot list datasets (it has no GET /v1/datasets).'
        : `Could not load datasets: ${errorText(err)}`, 'error'));
    }
  }

  function render(page: Page<Dataset>) {
    if (page.items.length === 0) {
      clear(table, note(pageIndex === 0
        ? 'No datasets in this project. Upload one with POST /v1/datasets or `mfsim datasets create`; a spec then uses it as "inputs": {"kind": "dataset", "datasetId": "..."}.'
        : 'No more datasets.'));
    } else {
      clear(table, h('table.data', {},
        h('thead', {}, h('tr', {}, ...['Name', 'id', 'd', 'Train rows', 'Test rows', 'Created', ''].map((t, i) => h(i >= 2 && i <= 4 ? 'th.num' as 'th' : 'th', {}, t)))),
        h('tbody', {}, ...page.items.map(row))));
    }
    clear(pager,
      h('button', { disabled: pageIndex === 0, onclick: () => { pageIndex--; void load(); } }, '← Previous'),
      h('span.muted', {}, `page ${pageIndex + 1}`),
      h('button', { disabled: !page.nextCursor, onclick: () => { pageIndex++; void load(); } }, 'Next →'));
  }

  function row(d: Dataset) {
    const actions = h('td.actions-cell');
    const label = d.name ?? `dataset ${shortId(d.id)}`;
    const remove = async () => {
      actions.querySelectorAll('button').forEach((b) => (b.disabled = true));
      try {
        await api(apiRoutes.datasets.delete, { params: { id: d.id } });
        clear(status, note(`Deleted “${label}”.`, 'success'));
        await load();
      } catch (err) {
        // The API's own words: a 409 names the runs that still use it.
        clear(status, note(`Not deleted: ${errorText(err)}`, 'error'));
        showDelete();
      }
    };
    const confirm = () => clear(actions,
      h('span.muted', {}, 'Delete? '),
      h('button.danger', { type: 'button', 'data-action': 'confirm-delete', onclick: remove }, 'Delete'),
      h('button', { type: 'button', onclick: () => showDelete() }, 'Keep'));
    const showDelete = () => clear(actions, mayDelete ? h('button.danger-outline', { type: 'button', 'data-action': 'delete', onclick: confirm }, 'Delete') : null);
    showDelete();
    return h('tr', { 'data-id': d.id },
      h('td', {}, label),
      h('td', {}, h('code', { title: d.id }, shortId(d.id))),
      h('td.num', {}, String(d.d)),
      h('td.num', {}, String(d.trainSize)),
      h('td.num', {}, d.testSize === null ? '—' : String(d.testSize)),
      h('td', {}, fmtDate(d.createdAt)),
      actions);
  }

  root.replaceChildren(pageHeader('Datasets'), status, table, pager);
  void currentRole().then((r) => {
    mayDelete = mayDo(r, 'submit');
    if (!stopped) void load();
  });
  return () => {
    stopped = true;
  };
}
