// A sweep's children on its page: grid point, status, progress, final and best test loss, final
// train loss (read from the simulations list, sweepId=...), a box to pick runs for comparison and
// a link comparing them all; and the schedule that made the sweep, by name, also once deleted.
import { apiRoutes, FINAL_STATUSES, type SimulationReply } from '@mfsim/contracts';
import { api } from './api.ts';
import { clear, fmt, h } from './dom.ts';
import { metric } from './run-list.ts';
import { compareHash, MAX_COMPARED, selection } from './selection.ts';
import { exportButton, sweepZip } from './export-zip.ts';
import type { Page, ScheduleReply, SweepReply } from './types.ts';
import { progressBar, shortId, statusBadge } from './ui.ts';

const REFRESH_MS = 4000;

export function sweepChildren(sweepId: string) {
  const el = h('div', { 'data-testid': 'sweep-children' });
  const runs = new Map<string, SimulationReply>();
  let readAt = 0;
  let finalCount = -1;
  let reading: Promise<void> | null = null;
  let last: SweepReply | null = null;
  // Runs ticked here join those ticked in the list (one selection per browser tab).
  const picked = h('a.button', { 'data-testid': 'compare-picked' });
  const updatePicked = () => {
    const ids = selection.ids();
    picked.textContent = `Compare ${ids.length} picked`;
    picked.setAttribute('href', compareHash(ids));
    picked.hidden = ids.length === 0;
  };
  const exportZip = exportButton('Export sweep (zip)', () => ({ zip: sweepZip(sweepId), filename: `mfsim-sweep-${shortId(sweepId)}.zip` }), 'export-sweep');

  async function readRuns() {
    const page = await api<Page<SimulationReply>>(apiRoutes.simulations.list, { query: { sweepId, limit: 500 } });
    for (const s of page.items) runs.set(s.id, s);
  }

  /** Draws the table for this state of the sweep; reads the runs' losses again when children finished or a while passed. */
  function show(s: SweepReply) {
    last = s;
    const finals = s.children.filter((c) => FINAL_STATUSES.includes(c.status as never)).length;
    if (!reading && (finals !== finalCount || (finals < s.children.length && Date.now() - readAt > REFRESH_MS))) {
      finalCount = finals;
      readAt = Date.now();
      reading = readRuns().catch(() => {}).finally(() => {
        reading = null;
        if (last) render(last);
      });
    }
    render(s);
  }

  function render(s: SweepReply) {
    updatePicked();
    const kids = [...s.children].sort((a, b) => a.width - b.width);
    const ids = kids.map((c) => c.simulationId);
    const label = (point: Record<string, unknown>, width: number) =>
      Object.entries(point).filter(([k]) => k !== 'role').map(([k, v]) => `${k.split('.').pop()} = ${String(v)}`).join(', ') || `width = ${width}`;
    clear(el,
      h('div.card-head', {}, h('h2', {}, `Simulations (${kids.length})`),
        h('a.button', { href: compareHash(ids.slice(0, MAX_COMPARED)), 'data-testid': 'compare-children', title: 'their loss curves on one chart, and the spec fields that differ' },
          kids.length > MAX_COMPARED ? `Compare the first ${MAX_COMPARED}` : 'Compare all'),
        picked, exportZip.el),
      h('table.data', {},
        h('thead', {}, h('tr', {}, h('th.pick', { title: 'pick to compare' }, '⇄'),
          ...['Grid point', 'Status', 'Progress', 'Final test loss', 'Best test loss', 'Final train loss', ''].map((t, i) => h(i >= 3 && i <= 5 ? 'th.num' as 'th' : 'th', {}, t)))),
        h('tbody', {}, ...kids.map((c) => {
          const run = runs.get(c.simulationId);
          const box = h('input', {
            type: 'checkbox', 'aria-label': `compare ${label(c.point, c.width)}`, 'data-select': c.simulationId, ...(selection.has(c.simulationId) && { checked: true }),
            onchange: (e: Event) => { selection.set(c.simulationId, (e.currentTarget as HTMLInputElement).checked); updatePicked(); },
          });
          const reference = c.point && (c.point as Record<string, unknown>).role === 'reference';
          return h('tr', { 'data-id': c.simulationId },
            h('td.pick', {}, box),
            h('td', {}, label(c.point, c.width), reference ? h('span.tag', {}, 'reference') : null),
            h('td', {}, statusBadge(c.status), c.error ? h('span.error-text', { title: c.error }, ' ⚠') : null),
            h('td', {}, progressBar(c.progress)),
            h('td.num', { 'data-col': 'finalTestLoss' }, run ? fmt(metric(run, 'finalTestLoss')) : '…'),
            h('td.num', { 'data-col': 'bestTestLoss' }, run ? fmt(metric(run, 'bestTestLoss')) : '…'),
            h('td.num', { 'data-col': 'finalTrainLoss' }, run ? fmt(metric(run, 'finalTrainLoss')) : '…'),
            h('td', {}, h('a', { href: `#/simulations/${c.simulationId}` }, 'open')));
        }))),
      h('p.muted', {}, 'Losses: the replica mean at the last recorded step (best: the least over the recorded steps). ',
        h('a', { href: `#/simulations?sweepId=${s.id}` }, 'These runs in the simulations list'), ' (sortable, filterable).'));
  }

  return { el, show };
}

/** "Created by schedule …": its name (or pattern), marked deleted when it was, linking to every sweep it made. */
export function scheduleLine(scheduleId: string, ...after: (Node | string)[]): HTMLElement {
  const el = h('p.muted', { 'data-testid': 'sweep-schedule' }, 'Created by schedule ', h('a', { href: `#/sweeps?scheduleId=${scheduleId}` }, shortId(scheduleId)), ...after);
  void api<ScheduleReply & { deletedAt?: string | null }>(apiRoutes.schedules.get, { params: { id: scheduleId } }).then((sc) => {
    clear(el, 'Created by schedule ',
      h('a', { href: `#/sweeps?scheduleId=${scheduleId}`, title: 'every sweep this schedule made' }, scheduleTitle(sc)),
      sc.deletedAt ? h('span', {}, ' ', statusBadge('deleted')) : null, ...after);
  }, () => {});
  return el;
}

/** A schedule's title: its name, else its pattern and what it sweeps ("0 3 * * * · student.width ∈ {8, 16}"). */
export function scheduleTitle(s: Pick<ScheduleReply, 'id' | 'name' | 'pattern' | 'sweep'>): string {
  if (s.name) return s.name;
  const grid = Object.entries(s.sweep.grid ?? {}).map(([k, v]) => `${k.split('.').pop()} ∈ {${(v as unknown[]).join(', ')}}`).join(' × ');
  const sweepName = typeof s.sweep.name === 'string' && s.sweep.name ? `“${s.sweep.name}” ` : '';
  return `${sweepName}at ${s.pattern}${grid ? ` · ${grid}` : ''}`;
}
