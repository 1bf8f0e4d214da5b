// Schedules: each with its cron pattern, next firing, pause and resume, and the sweeps it created.
import { api, query } from '../api.ts';
import { clear, fmtDate, h } from '../dom.ts';
import type { Page, ScheduleReply, SweepReply } from '../types.ts';
import { errorText, note, pageHeader, shortId, statusBadge } from '../ui.ts';

const listOf = <T>(reply: Page<T> | T[]): T[] => (Array.isArray(reply) ? reply : reply.items);

export function schedulesPage(root: HTMLElement) {
  let stopped = false;
  const body = h('div');

  async function sweepsOf(s: ScheduleReply): Promise<{ id: string; status?: string; createdAt?: string; name?: string | null }[]> {
    if (s.sweeps) return s.sweeps;
    try {
      return listOf(await api<Page<SweepReply>>(`/v1/sweeps${query({ scheduleId: s.id, limit: 10 })}`));
    } catch {
      return [];
    }
  }

  async function load() {
    try {
      const schedules = listOf(await api<Page<ScheduleReply> | ScheduleReply[]>('/v1/schedules'));
      const sweeps = await Promise.all(schedules.map(sweepsOf));
      if (stopped) return;
      if (schedules.length === 0) return clear(body, note('No schedules. Create one with POST /v1/schedules (a cron pattern, a time zone and a sweep template).'));
      clear(body, ...schedules.map((s, i) => {
        const paused = s.paused ?? s.status === 'paused';
        return h('section.card', { 'data-id': s.id },
          h('div.card-head', {},
            h('h2', {}, s.name ?? `Schedule ${shortId(s.id)}`),
            statusBadge(paused ? 'paused' : 'active'),
            h('button', { onclick: () => toggle(s.id, paused) }, paused ? 'Resume' : 'Pause')),
          h('dl.kv', {},
            h('dt', {}, 'pattern'), h('dd', {}, h('code', {}, s.pattern ?? s.cron ?? '—'), ` (${s.timezone ?? s.tz ?? 'UTC'})`),
            h('dt', {}, 'next firing'), h('dd', {}, paused ? 'paused' : fmtDate(s.nextRunAt ?? s.next ?? null))),
          h('h3', {}, 'Sweeps created'),
          sweeps[i].length === 0 ? note('None yet.') : h('ul.plain', {}, ...sweeps[i].map((w) =>
            h('li', {}, h('a', { href: `#/sweeps/${w.id}` }, w.name ?? shortId(w.id)), ' ', w.status ? statusBadge(w.status) : null, ' ', h('span.muted', {}, fmtDate(w.createdAt))))),
        );
      }));
    } catch (err) {
      if (!stopped) clear(body, note(`Could not load schedules: ${errorText(err)}`, 'error'));
    }
  }

  async function toggle(id: string, paused: boolean) {
    try {
      await api(`/v1/schedules/${id}/${paused ? 'resume' : 'pause'}`, { method: 'POST', body: {} });
    } catch (err) {
      alert(`Could not ${paused ? 'resume' : 'pause'}: ${errorText(err)}`);
    }
    load();
  }

  root.replaceChildren(pageHeader('Schedules'), body);
  load();
  return () => {
    stopped = true;
  };
}
