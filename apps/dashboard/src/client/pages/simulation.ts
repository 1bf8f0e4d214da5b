// One simulation: live status, cancel and retry, loss curves (log-log, replicas, mean and standard
// error), the infinite-width limits (NTK curve dashed, the sweep's mean-field reference dotted,
// NNGP check at t = 0), particles at each snapshot, the spec, backend and timings, CSV and JSON
// export.
import { apiRoutes, FINAL_STATUSES, type BirthDeathReply, type SimulationReply, type TrajectoryPointReply } from '@mfsim/contracts';
import { api, ApiError } from '../api.ts';
import { drawBirthDeathChart } from '../charts/birth-death-chart.ts';
import { drawLossChart, type LimitCurve } from '../charts/loss-chart.ts';
import { drawParticleChart } from '../charts/particle-chart.ts';
import { PALETTE } from '../charts/chart.ts';
import { clear, download, fmt, fmtDate, fmtSeconds, h } from '../dom.ts';
import { live, type LiveHandle } from '../live.ts';
import { lossSeries, particlePoints, readSnapshot, trajectoryCsv, type Particles } from '../series.ts';
import { errorText, keyValues, liveIndicator, note, pageHeader, progressBar, shortId, statusBadge } from '../ui.ts';
import { limitsCard, meanFieldCurve, ntkCurve, type StoredLimits, type SweepMeanField } from '../limits-view.ts';
import { labelsCard } from '../labels-card.ts';
import { currentRole, mayDo } from '../role.ts';

const TRAJECTORY_REFRESH_MS = 3000;

/** When the run first started (the API's firstStartedAt; startedAt is the last attempt's). */
const firstStart = (s: SimulationReply): string | null => s.firstStartedAt ?? s.startedAt;

/** What may be done to a simulation in this status: cancel while it may still run, retry once it failed or was cancelled. */
export function simulationActions(status: string): ('cancel' | 'retry')[] {
  if (status === 'queued' || status === 'running') return ['cancel'];
  if (status === 'failed' || status === 'cancelled') return ['retry'];
  return [];
}

export function simulationPage(root: HTMLElement, id: string) {
  let sim: SimulationReply | null = null;
  let points: TrajectoryPointReply[] = [];
  let lastTrajectoryAt = 0;
  let stopped = false;
  let busy: 'cancel' | 'retry' | null = null;
  let mayClone = false;

  const head = h('div');
  const liveMark = liveIndicator();
  const actionError = h('p.note.note-error', { role: 'alert', 'data-testid': 'action-error', hidden: true });
  const facts = h('section.card');
  const trainBox = h('div.chart', { 'data-chart': 'train-loss' });
  const testBox = h('div.chart', { 'data-chart': 'test-loss' });
  const lossNote = h('p.muted');
  const particles = h('section.card', {}, h('h2', {}, 'Particles'), note('Loading snapshots…'));
  const specBox = h('pre.spec');
  const exportNote = h('span.muted');
  const limitsBox = h('div');
  const birthDeathBox = h('div.chart', { 'data-chart': 'birth-death' });
  const birthDeathCard = h('section.card', { hidden: true }, h('h2', {}, 'Birth-death'), birthDeathBox);
  let limits: StoredLimits | null = null;
  let sweepLimit: LimitCurve | undefined;
  const labels = labelsCard(id, (s) => {
    sim = s;
    renderFacts(s);
  });

  async function loadTrajectory() {
    lastTrajectoryAt = Date.now();
    const reply = await api<{ points: TrajectoryPointReply[] }>(apiRoutes.simulations.trajectory, { params: { id } });
    if (stopped) return;
    points = reply.points;
    drawLosses();
    if (sim?.spec.training.birthDeath) await loadBirthDeath();
  }

  // Birth-death runs: births and deaths between recorded times.
  async function loadBirthDeath() {
    const reply = await api<BirthDeathReply>(apiRoutes.simulations.birthDeath, { params: { id } });
    if (stopped) return;
    birthDeathCard.hidden = false;
    drawBirthDeathChart(birthDeathBox, reply);
  }

  // The stored limits of a finished run (the worker writes them just before the final status), and
  // for a sweep's child the sweep's mean-field limit of its series (once the sweep's statistics exist).
  async function loadLimits(s: SimulationReply) {
    await Promise.all([
      api<StoredLimits>(apiRoutes.limits.simulation, { params: { id } }).then((l) => {
        if (stopped) return;
        limits = l;
        clear(limitsBox, limitsCard(l));
      }, () => {}), // none yet (409) or none at all: the page shows the finite-width side only
      s.sweepId ? api<{ meanField: SweepMeanField[] }>(apiRoutes.limits.sweep, { params: { id: s.sweepId } }).then((r) => {
        sweepLimit = meanFieldCurve(r.meanField, { ...s.spec, seed: s.seed }, id);
      }, () => {}) : null,
    ]);
    if (!stopped) drawLosses();
  }

  function drawLosses() {
    if (points.length === 0) {
      lossNote.textContent = 'No recorded points yet.';
      return;
    }
    const train = lossSeries(points, 'trainLoss');
    const test = lossSeries(points, 'testLoss');
    const ntk = limits ? ntkCurve(limits) : undefined;
    const curves = [ntk, sweepLimit].filter((c): c is LimitCurve => c !== undefined);
    lossNote.textContent = `${train.replicaIds.length} replicas × ${train.times.length} recorded times · thin lines: replicas; bold: their mean; band: ± one standard error. t = 0 is left off the log axis.` +
      (sweepLimit ? ` Dotted on the test loss: the sweep's ${sweepLimit.label}, band: its 95% interval.` : '');
    drawLossChart(trainBox, train, { title: 'train loss', color: PALETTE[0] });
    drawLossChart(testBox, test, { title: 'test loss', color: PALETTE[1], limits: curves });
  }

  function renderFacts(s: SimulationReply) {
    const buttons = simulationActions(s.status).map((a) =>
      h(a === 'cancel' ? 'button.danger-outline' : 'button.primary', {
        type: 'button', 'data-action': a, disabled: busy !== null, onclick: () => control(a),
      }, busy === a ? (a === 'cancel' ? 'Cancelling…' : 'Retrying…') : a === 'cancel' ? 'Cancel run' : 'Retry from checkpoint'));
    clear(
      head,
      pageHeader(s.name ?? `Simulation ${shortId(s.id)}`, statusBadge(s.status), liveMark.el, h('span.spacer'), ...buttons,
        mayClone ? h('a.button', { href: `#/new?from=${s.id}`, 'data-action': 'clone', title: 'Open the New form filled with this spec' }, 'Clone and re-run') : null),
      actionError,
      h('div.progress-row', {}, progressBar(s.progress), h('span.muted', {}, `${s.stepsDone} / ${s.spec.training.steps} steps`)),
    );
    clear(
      facts,
      h('h2', {}, 'Run'),
      keyValues([
        ['id', h('code', {}, s.id)],
        ['backend', `${s.backend ?? '—'}${s.device ? ` on ${s.device}` : ''}`],
        ['seed', String(s.seed)],
        ['width n · replicas', `${s.spec.student.width} · ${s.spec.replicas}`],
        ['dynamics', `${s.spec.training.dynamics}, dt = ${fmt(s.spec.training.dt)}, ${s.spec.training.steps} steps`],
        ['created', fmtDate(s.createdAt)],
        // A resumed run: its first start, and the last attempt's (run time counts every attempt).
        ...(firstStart(s) && firstStart(s) !== s.startedAt
          ? [['first started', fmtDate(firstStart(s))], ['last attempt started', fmtDate(s.startedAt)]] as [string, string][]
          : [['started', fmtDate(s.startedAt)]] as [string, string][]),
        ['finished', fmtDate(s.finishedAt)],
        ['run time', fmtSeconds(s.runSeconds)],
        ...(s.sweepId ? [['sweep', h('a', { href: `#/sweeps/${s.sweepId}` }, shortId(s.sweepId))] as [string, Node]] : []),
        ...(s.error ? [['error', h('span.error-text', {}, s.error)] as [string, Node]] : []),
        ...(s.divergedAtStep !== null ? [['diverged at step', String(s.divergedAtStep)] as [string, string]] : []),
      ]),
    );
    specBox.textContent = JSON.stringify(s.spec, null, 2);
  }

  // Snapshots are shown as they land: the card is drawn again when the list of recorded steps grows,
  // on the step the reader picked (else the newest).
  let particleSteps = '';
  let pickedStep: string | null = null;
  async function loadParticles(s: SimulationReply) {
    const steps = await snapshotSteps(s);
    if (stopped) return;
    const finished = FINAL_STATUSES.includes(s.status);
    if (steps.length === 0) {
      const planned = s.spec.record.snapshots;
      clear(particles, h('h2', {}, 'Particles'), note(finished || planned.length === 0
        ? 'No snapshots recorded (set record.snapshots in the spec).'
        : `No snapshot yet: the first is taken at step ${Math.min(...planned)}; they appear here as they are recorded.`));
      return;
    }
    const key = `${steps.join(',')}|${finished}`;
    if (key === particleSteps) return;
    particleSteps = key;
    const d = 'd' in s.spec.inputs ? s.spec.inputs.d : 0;
    const stepSelect = h('select', { 'aria-label': 'snapshot step', 'data-testid': 'snapshot-step' }, ...steps.map((st) => h('option', { value: st }, `step ${st}`)));
    stepSelect.value = pickedStep !== null && steps.includes(Number(pickedStep)) ? pickedStep : String(steps[steps.length - 1]);
    stepSelect.addEventListener('change', () => { pickedStep = stepSelect.value; });
    const dirSelect = h('select', { 'aria-label': 'direction of w', 'data-testid': 'snapshot-direction' },
      h('option', { value: '' }, 'w · e_k: choose k'),
      ...Array.from({ length: Math.min(d || 1, 64) }, (_, k) => h('option', { value: k }, `w · e_${k + 1}`)));
    dirSelect.value = '0';
    const normBox = h('div.chart', { 'data-chart': 'particles-norm' });
    const dirBox = h('div.chart', { 'data-chart': 'particles-direction' });
    const status = h('p.muted');
    let snapshot: Particles | null = null;

    const drawDirection = () => {
      if (!snapshot) return;
      const k = Number(dirSelect.value || 0);
      const dim = snapshot.w[0]?.[0]?.length ?? 0;
      const u = Array.from({ length: dim }, (_, i) => (i === k ? 1 : 0));
      drawParticleChart(dirBox, particlePoints(snapshot, u), `w · e_${k + 1}`, `c against w · e_${k + 1} at step ${snapshot.step}`);
    };
    const show = async () => {
      status.textContent = 'Loading…';
      try {
        const reply = await api<Record<string, unknown>>(apiRoutes.simulations.snapshot, { params: { id, step: stepSelect.value } });
        snapshot = readSnapshot({ step: Number(stepSelect.value), ...reply });
        const n = snapshot.c[0]?.length ?? 0;
        status.textContent = `${snapshot.c.length} replicas × ${n} particles; colour: replica.${finished ? '' : ` ${steps.length} of ${s.spec.record.snapshots.length} snapshots so far: later ones appear as they are recorded.`}`;
        drawParticleChart(normBox, particlePoints(snapshot, null), '|w|', `c against |w| at step ${snapshot.step}`);
        drawDirection();
      } catch (err) {
        status.textContent = err instanceof ApiError && err.status === 404
          ? 'This snapshot is not available (not recorded yet, or the snapshot route is missing).'
          : `Could not load the snapshot: ${errorText(err)}`;
      }
    };
    stepSelect.addEventListener('change', show);
    dirSelect.addEventListener('change', drawDirection);
    clear(particles, h('h2', {}, 'Particles'), h('div.controls', {}, stepSelect, dirSelect), status, h('div.chart-grid', {}, normBox, dirBox));
    show();
  }

  async function snapshotSteps(s: SimulationReply): Promise<number[]> {
    try {
      const reply = await api<unknown>(apiRoutes.simulations.snapshots, { params: { id } });
      const list = Array.isArray(reply) ? reply : ((reply as { items?: unknown[]; snapshots?: unknown[]; steps?: unknown[] }).items ??
        (reply as { snapshots?: unknown[] }).snapshots ?? (reply as { steps?: unknown[] }).steps ?? []);
      return list.map((x) => (typeof x === 'number' ? x : Number((x as { step: number }).step))).filter(Number.isFinite);
    } catch {
      // No list route: the spec's steps, once the run has finished (before, they may not exist yet).
      return FINAL_STATUSES.includes(s.status) ? [...s.spec.record.snapshots].sort((a, b) => a - b) : [];
    }
  }

  const exportCsv = () => download(`simulation-${shortId(id)}.csv`, trajectoryCsv(points), 'text/csv');
  const exportJson = () => download(`simulation-${shortId(id)}.json`, JSON.stringify({ simulation: sim, points }, null, 2), 'application/json');

  root.replaceChildren(
    head,
    h('div.layout-2', {}, facts, h('section.card', {}, h('h2', {}, 'Export'),
      h('p.muted', {}, 'Every recorded point of every replica.'),
      h('div.actions', {}, h('button', { onclick: exportCsv, 'data-testid': 'export-csv' }, 'CSV'), h('button', { onclick: exportJson, 'data-testid': 'export-json' }, 'JSON'), exportNote))),
    h('section.card', {}, h('h2', {}, 'Loss'), lossNote, h('div.chart-grid', {}, trainBox, testBox)),
    birthDeathCard,
    labels.el,
    limitsBox,
    particles,
    h('section.card', {}, h('details', {}, h('summary', {}, 'Spec'), specBox)),
  );

  let particlesShown = false;
  let particlesFinal = false;
  let particlesAt = 0;
  void currentRole().then((r) => {
    mayClone = mayDo(r, 'submit');
    if (mayClone && sim && !stopped) renderFacts(sim);
  });
  const follow = (): LiveHandle => live<SimulationReply>({
    eventsPath: `/v1/simulations/${id}/events`,
    read: () => api<SimulationReply>(apiRoutes.simulations.get, { params: { id } }),
    done: (s) => FINAL_STATUSES.includes(s.status),
    onMode: (mode) => liveMark.set(mode),
    onError: (err) => {
      if (sim === null) clear(head, pageHeader('Simulation'), note(err instanceof ApiError && err.status === 404 ? `No simulation ${id}.` : `Could not load: ${errorText(err)}`, 'error'));
    },
    onUpdate: (s) => {
      const finished = FINAL_STATUSES.includes(s.status);
      const wasFinished = sim !== null && FINAL_STATUSES.includes(sim.status);
      sim = s;
      renderFacts(s);
      labels.show(s);
      if ((finished && !wasFinished) || Date.now() - lastTrajectoryAt > TRAJECTORY_REFRESH_MS) {
        loadTrajectory().catch((err) => (lossNote.textContent = `Could not load the trajectory: ${errorText(err)}`));
      }
      if (finished && !particlesShown) {
        particlesShown = true;
        loadLimits(s);
      }
      // Snapshots as they land while it runs, and once more when it ends.
      if ((finished && !particlesFinal) || (!finished && Date.now() - particlesAt > TRAJECTORY_REFRESH_MS)) {
        particlesFinal = finished;
        particlesAt = Date.now();
        loadParticles(s).catch(() => {});
      }
    },
  });
  let handle = follow();

  // Cancel: the worker stops after the chunk in hand, keeping what it computed. Retry: queued again,
  // resuming from its checkpoint, and followed live again. A refusal (409) says why, in the API's words.
  async function control(action: 'cancel' | 'retry') {
    if (busy || !sim) return;
    busy = action;
    actionError.hidden = true;
    renderFacts(sim);
    try {
      const reply = await api<SimulationReply & { resumesFromStep?: number }>(apiRoutes.simulations[action], { params: { id } });
      if (stopped) return;
      sim = reply;
      if (action === 'retry') {
        particlesShown = false;
        particlesFinal = false;
        handle.stop();
        handle = follow();
      }
    } catch (err) {
      if (stopped) return;
      actionError.textContent = err instanceof ApiError && err.status === 409
        ? `Not ${action === 'cancel' ? 'cancelled' : 'retried'}: ${err.message}`
        : `Could not ${action}: ${errorText(err)}`;
      actionError.hidden = false;
      // The page may be behind: read the simulation again.
      sim = await api<SimulationReply>(apiRoutes.simulations.get, { params: { id } }).catch(() => sim);
    } finally {
      busy = null;
      if (!stopped && sim) renderFacts(sim);
    }
  }
  return () => {
    stopped = true;
    handle.stop();
  };
}
