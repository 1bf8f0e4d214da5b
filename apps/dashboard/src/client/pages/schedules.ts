// Schedules: each with its cron pattern, next firing, pause and resume, and the sweeps it created.
import { api, query } from '../api.ts';
import { clear, fmtDate, h } from '../dom.ts';
import type { Page, ScheduleReply, SweepSummary } from '../types.ts';
import { errorText, note, pageHeader, shortId, statusBadge } from '../ui.ts';

export function schedulesPage(root: HTMLElement) {
  let stopped = false;
  const body = h('div');

  async function load() {
    try {
      const schedules = (await api<Page<ScheduleReply>>('/v1/schedules')).items;
      const sweeps = await Promise.all(schedules.map((s) =>
        api<Page<SweepSummary>>(`/v1/sweeps${query({ scheduleId: s.id, limit: 10 })}`).then((p) => p.items, () => [] as SweepSummary[])));
      if (stopped) return;
      if (schedules.length === 0) {
        clear(body, note('No schedules. Create one with POST /v1/schedules: a cron pattern, a time zone and a sweep template.'));
        return;
      }
      clear(body, ...schedules.map((s, i) =>
        h('section.card', { 'data-id': s.id },
          h('div.card-head', {},
            h('h2', {}, s.name ?? `Schedule ${shortId(s.id)}`),
            statusBadge(s.paused ? 'paused' : 'active'),
            h('button', { onclick: () => toggle(s) }, s.paused ? 'Resume' : 'Pause')),
          h('dl.kv', {},
            h('dt', {}, 'pattern'), h('dd', {}, h('code', {}, s.pattern), ` (${s.timeZone})`),
            h('dt', {}, 'next firing'), h('dd', {}, s.paused ? 'paused' : fmtDate(s.nextFireAt)),
            h('dt', {}, 'sweep'), h('dd', {}, Object.entries(s.sweep.grid).map(([k, v]) => `${k} ∈ {${v.join(', ')}}`).join(' × ')),
            h('dt', {}, 'sweeps created'), h('dd', {}, String(s.sweeps))),
          sweeps[i].length === 0 ? null : h('ul.plain', {}, ...sweeps[i].map((w) =>
            h('li', {}, h('a', { href: `#/sweeps/${w.id}` }, w.name ?? shortId(w.id)), ' ', statusBadge(w.status), ' ', h('span.muted', {}, fmtDate(w.createdAt))))),
        )));
    } catch (err) {
      if (!stopped) clear(body, note(`Could not load schedules: ${errorText(err)}`, 'error'));
    }
  }

  async function toggle(s: ScheduleReply) {
    try {
      await api(`/v1/schedules/${s.id}/${s.paused ? 'resume' : 'pause'}`, { method: 'POST' });
    } catch (err) {
      alert(`Could not ${s.paused ? 'resume' : 'pause'}: ${errorText(err)}`);
    }
    load();
  }

  root.replaceChildren(pageHeader('Schedules'), body);
  load();
  return () => {
    stopped = true;
  };
}
