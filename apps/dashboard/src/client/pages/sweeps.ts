// The list of sweeps, with live progress.
import { api } from '../api.ts';
import { clear, fmtDate, h } from '../dom.ts';
import { SWEEP_FINAL, type Page, type SweepSummary } from '../types.ts';
import { errorText, note, pageHeader, progressBar, shortId, statusBadge } from '../ui.ts';
import { apiRoutes } from '@mfsim/contracts';
import { scheduleLine } from '../sweep-children.ts';

/** `scheduleId`: only the sweeps that schedule made (also once it is deleted). */
export function sweepsPage(root: HTMLElement, params: URLSearchParams = new URLSearchParams()) {
  const scheduleId = params.get('scheduleId') ?? '';
  const cursors: (string | null)[] = [null];
  let pageIndex = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const table = h('div.table-wrap');
  const pager = h('div.pager');

  async function load() {
    if (timer) clearTimeout(timer);
    try {
      const page = await api<Page<SweepSummary>>(apiRoutes.sweeps.list, { query: { limit: 20, cursor: cursors[pageIndex], scheduleId } });
      if (stopped) return;
      cursors[pageIndex + 1] = page.nextCursor;
      clear(table, page.items.length === 0 ? note('No sweeps yet.') : h('table.data', {},
        h('thead', {}, h('tr', {}, ...['Name', 'Status', 'Progress', 'Grid', 'Created'].map((t) => h('th', {}, t)))),
        h('tbody', {}, ...page.items.map((s) => h('tr', { 'data-id': s.id },
          h('td', {}, h('a', { href: `#/sweeps/${s.id}` }, s.name ?? shortId(s.id))),
          h('td', {}, statusBadge(s.status), s.partial ? statusBadge('partial') : null),
          h('td', {}, progressBar(s.progress)),
          h('td', {}, Object.entries(s.grid).map(([k, v]) => `${k}: ${v.join(', ')}`).join('; ')),
          h('td', {}, fmtDate(s.createdAt)),
        )))));
      clear(pager,
        h('button', { disabled: pageIndex === 0, onclick: () => { pageIndex--; load(); } }, '← Newer'),
        h('span.muted', {}, `page ${pageIndex + 1}`),
        h('button', { disabled: !page.nextCursor, onclick: () => { pageIndex++; load(); } }, 'Older →'));
      if (page.items.some((s) => !SWEEP_FINAL.includes(s.status))) timer = setTimeout(load, 2000);
    } catch (err) {
      if (!stopped) clear(table, note(`Could not load sweeps: ${errorText(err)}`, 'error'));
    }
  }
  const scheduleNote = scheduleId ? scheduleLine(scheduleId, ' · ', h('a', { href: '#/sweeps' }, 'every sweep')) : null;
  root.replaceChildren(pageHeader('Sweeps', h('a.button.primary', { href: '#/new?kind=sweep' }, 'New sweep')), scheduleNote ?? '', table, pager);
  load();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
