// Pieces shared by the pages: status badges, progress bars, headers, empty and error notes.
import { h } from './dom.ts';

export function statusBadge(status: string) {
  return h(`span.badge.status-${status}` as 'span', { 'data-status': status }, status);
}

export function progressBar(progress: number) {
  const pct = Math.max(0, Math.min(1, progress)) * 100;
  // The width through the DOM: the page's Content-Security-Policy refuses style attributes.
  const fill = h('div.progress-fill');
  fill.style.width = `${pct.toFixed(1)}%`;
  return h(
    'div.progress',
    { role: 'progressbar', 'aria-valuenow': Math.round(pct), 'aria-valuemin': 0, 'aria-valuemax': 100 },
    fill,
    h('span.progress-label', {}, `${Math.round(pct)}%`),
  );
}

export function pageHeader(title: string, ...actions: (Node | null)[]) {
  return h('header.page-header', {}, h('h1', {}, title), h('div.actions', {}, ...actions));
}

export function note(text: string, kind: 'info' | 'error' | 'success' = 'info') {
  return h(`p.note.note-${kind}` as 'p', {}, text);
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export const shortId = (id: string) => id.slice(0, 8);

export function keyValues(entries: [string, Node | string][]) {
  return h('dl.kv', {}, ...entries.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

/** How the page follows a resource: "live" over its event stream, "polling", or nothing once final. */
export function liveIndicator() {
  const el = h('span.live', { 'data-live': 'poll', title: '' });
  return {
    el,
    set(mode: 'sse' | 'poll' | 'stopped') {
      el.dataset.live = mode;
      el.textContent = mode === 'sse' ? 'live' : mode === 'poll' ? 'polling' : '';
      el.title = mode === 'sse' ? 'Following the server’s event stream' : mode === 'poll' ? 'Reading it again every few seconds' : '';
    },
  };
}
