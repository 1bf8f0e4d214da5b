// The workers alive per kind, in the top bar, from /readyz (public, answered without waiting on a
// Redis that is down): a warning when a queue has jobs and no worker alive to take them, and
// "unknown" when Redis cannot say. Refreshed every 15 s while the dashboard is open.
import './worker-status.css';
import { h } from './dom.ts';

/** The fields of GET /readyz this shows. */
export interface Readiness {
  redis: boolean;
  workers: { cpu: number; gpu: number } | null;
  warnings: string[];
}

/** The top bar's element for a /readyz reply (null: the API did not answer). */
export function workerStatus(r: Readiness | null): HTMLElement {
  if (!r) return h('span.worker-status.warn', { title: 'the API did not answer /readyz' }, 'Workers: unknown (no answer)');
  if (!r.workers) return h('span.worker-status.warn', { title: 'Redis does not answer, so the workers cannot be counted' }, 'Workers: unknown (Redis down)');
  const counts = `Workers: cpu ${r.workers.cpu} · gpu ${r.workers.gpu}`;
  if (r.warnings.length === 0) return h('span.worker-status', { title: 'worker processes alive, per kind' }, counts);
  return h('span.worker-status.warn', { role: 'alert', title: r.warnings.join('\n') }, `${counts} ⚠ ${r.warnings.join('; ')}`);
}

/** Keeps `slot` showing the workers; returns a function that stops refreshing. */
export function showWorkers(slot: HTMLElement, everyMs = 15_000): () => void {
  const refresh = async () => {
    let r: Readiness | null;
    try {
      // 503 (Postgres or Redis down) still carries the detail.
      r = (await (await fetch('/readyz')).json()) as Readiness;
    } catch {
      r = null;
    }
    slot.replaceChildren(workerStatus(r));
  };
  void refresh();
  const timer = setInterval(() => void refresh(), everyMs);
  return () => clearInterval(timer);
}
