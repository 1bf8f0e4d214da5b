// Compare runs: their train and test loss curves overlaid (log-log, replica mean and standard-error
// band per run), their final figures side by side, and the spec fields that differ (or all of them).
// The URL holds the ids (`#/compare?ids=a,b`), so the view can be shared; runs still going are followed.
import '../daily-loop.css';
import { apiRoutes, FINAL_STATUSES, type SimulationReply, type TrajectoryPointReply } from '@mfsim/contracts';
import { api, ApiError } from '../api.ts';
import { drawCompareChart, runColor } from '../charts/compare-chart.ts';
import { readIds, runLabels, specDiff } from '../compare-model.ts';
import { clear, fmt, fmtSeconds, h } from '../dom.ts';
import { metric } from '../run-list.ts';
import { compareHash, MAX_COMPARED } from '../selection.ts';
import { exportButton, selectionZip } from '../export-zip.ts';
import { lossSeries } from '../series.ts';
import { errorText, note, pageHeader, shortId, statusBadge } from '../ui.ts';

const REFRESH_MS = 3000;
/** Points per run: the API keeps the same log-spaced steps for every replica. */
const MAX_POINTS = 4000;

/** The run's colour beside its name (set through the DOM: the page's CSP refuses style attributes). */
function swatch(i: number) {
  const el = h('span.swatch');
  el.style.background = runColor(i);
  return el;
}

interface Run {
  sim: SimulationReply;
  points: TrajectoryPointReply[];
}

export function comparePage(root: HTMLElement, params: URLSearchParams, go: (hash: string) => void) {
  const { ids: allIds, bad } = readIds(params);
  const ids = allIds.slice(0, MAX_COMPARED);
  let showAll = params.get('fields') === 'all';
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let runs: Run[] = [];

  const status = h('div', { role: 'status' });
  const legend = h('ul.compare-legend', { 'data-testid': 'compare-legend' });
  const trainBox = h('div.chart', { 'data-chart': 'compare-train' });
  const testBox = h('div.chart', { 'data-chart': 'compare-test' });
  const figures = h('div.table-wrap');
  const diffBox = h('div.table-wrap');
  const diffToggle = h('input', { type: 'checkbox', 'data-testid': 'diff-only', ...(!showAll && { checked: true }) });
  diffToggle.addEventListener('change', () => {
    showAll = !diffToggle.checked;
    // The toggle is part of the shareable address, without a new history entry.
    history.replaceState(null, '', `${compareHash(ids)}${showAll ? '&fields=all' : ''}`);
    renderDiff();
  });
  const copied = h('span.muted');
  const copyLink = h('button', {
    type: 'button', 'data-testid': 'copy-link',
    onclick: async () => {
      try {
        await navigator.clipboard.writeText(location.href);
        copied.textContent = 'link copied';
      } catch {
        copied.textContent = `link: ${location.href}`;
      }
    },
  }, 'Copy link');

  root.replaceChildren(
    pageHeader('Compare runs', copyLink, copied, exportButton('Export these (zip)', () => (ids.length ? { zip: selectionZip(ids), filename: `mfsim-compare-${ids.length}-runs.zip` } : null), 'export-compared').el),
    status,
    h('section.card', {}, h('h2', {}, 'Loss'), legend, h('div.chart-grid', {}, trainBox, testBox)),
    h('section.card', {}, h('h2', {}, 'Figures'), figures),
    h('section.card', {}, h('div.card-head', {}, h('h2', {}, 'Spec'), h('label.diff-toggle', {}, diffToggle, 'only the fields that differ')), diffBox),
  );

  if (ids.length === 0) {
    clear(status, note(bad.length
      ? `Not run ids: ${bad.join(', ')}. Pick runs in the Simulations list or on a sweep's page.`
      : 'No runs picked. Tick runs in the Simulations list (or use “compare these” on a sweep) to compare them here.'));
    return;
  }
  const dropped = [...bad.map((b) => `“${b}” is not a run id`), ...(allIds.length > ids.length ? [`only the first ${MAX_COMPARED} runs are drawn`] : [])];

  async function loadRun(id: string): Promise<Run | { id: string; error: string }> {
    try {
      const [sim, trajectory] = await Promise.all([
        api<SimulationReply>(apiRoutes.simulations.get, { params: { id } }),
        api<{ points: TrajectoryPointReply[] }>(apiRoutes.simulations.trajectory, { params: { id }, query: { maxPoints: MAX_POINTS } }),
      ]);
      return { sim, points: trajectory.points };
    } catch (err) {
      return { id, error: err instanceof ApiError && err.status === 404 ? 'no such run (in this project)' : errorText(err) };
    }
  }

  async function load() {
    const loaded = await Promise.all(ids.map(loadRun));
    if (stopped) return;
    runs = loaded.filter((r): r is Run => 'sim' in r);
    const missing = loaded.filter((r): r is { id: string; error: string } => 'error' in r);
    clear(status,
      missing.length ? note(`Not shown: ${missing.map((m) => `${shortId(m.id)} (${m.error})`).join('; ')}.`, 'error') : null,
      dropped.length ? note(`${dropped.join('; ')}.`) : null);
    render();
    if (runs.some((r) => !FINAL_STATUSES.includes(r.sim.status))) timer = setTimeout(load, REFRESH_MS);
  }

  function remove(id: string) {
    const rest = ids.filter((x) => x !== id);
    go(`${compareHash(rest)}${showAll ? '&fields=all' : ''}`);
  }

  function render() {
    const labels = runLabels(runs.map((r) => r.sim));
    clear(legend, ...runs.map((r, i) => h('li', { 'data-id': r.sim.id },
      swatch(i),
      h('a', { href: `#/simulations/${r.sim.id}` }, labels[i]), ' ', statusBadge(r.sim.status),
      h('button.link', { type: 'button', title: 'leave this run out', 'aria-label': `remove ${labels[i]}`, onclick: () => remove(r.sim.id) }, '×'))));
    if (runs.every((r) => r.points.length === 0)) {
      clear(trainBox, note('No recorded points yet.'));
      clear(testBox);
    } else {
      // Colours follow the legend: each run keeps its index.
      const series = (key: 'trainLoss' | 'testLoss') => runs.map((r, i) => ({ label: labels[i], series: lossSeries(r.points, key) }));
      drawCompareChart(trainBox, series('trainLoss'), 'train loss');
      drawCompareChart(testBox, series('testLoss'), 'test loss');
    }
    clear(figures, h('table.data', { 'data-testid': 'compare-figures' },
      h('thead', {}, h('tr', {}, h('th', {}, ''), ...runs.map((_, i) => h('th', {}, swatch(i), ' ', labels[i])))),
      h('tbody', {}, ...([
        ['status', (s: SimulationReply) => s.status],
        ['final test loss', (s: SimulationReply) => fmt(metric(s, 'finalTestLoss'))],
        ['best test loss', (s: SimulationReply) => fmt(metric(s, 'bestTestLoss'))],
        ['final train loss', (s: SimulationReply) => fmt(metric(s, 'finalTrainLoss'))],
        ['steps done', (s: SimulationReply) => `${s.stepsDone} / ${s.spec.training.steps}`],
        ['run time', (s: SimulationReply) => fmtSeconds(s.runSeconds)],
      ] as const).map(([label, value]) => h('tr', {}, h('th', {}, label), ...runs.map((r) => h('td.num', {}, value(r.sim))))))));
    renderDiff();
  }

  function renderDiff() {
    if (runs.length === 0) return clear(diffBox);
    const labels = runLabels(runs.map((r) => r.sim));
    const rows = specDiff(runs.map((r) => ({ seed: r.sim.seed, ...r.sim.spec })));
    const shown = showAll ? rows : rows.filter((r) => r.differs);
    clear(diffBox,
      shown.length === 0
        ? note(runs.length === 1 ? 'One run: nothing to differ from. Untick the box to see its whole spec.' : 'The specs are the same in every field (the seed included).')
        : h('table.data.diff', { 'data-testid': 'spec-diff' },
          h('thead', {}, h('tr', {}, h('th', {}, 'field'), ...labels.map((l, i) => h('th', {}, swatch(i), ' ', l)))),
          h('tbody', {}, ...shown.map((r) => h('tr', { 'data-path': r.path },
            h('td', {}, h('code', {}, r.path)),
            ...r.values.map((v) => h(r.differs ? 'td.differs' as 'td' : 'td', {}, v)))))),
      h('p.muted', {}, `${rows.filter((r) => r.differs).length} of ${rows.length} fields differ.`));
  }

  void load();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
