// Following a simulation or sweep to its end with a progress bar; the exit code says how it ended.
import type { MfsimClient } from '@mfsim/client';
import { MfsimApiError } from '@mfsim/client';
import type { SimulationReply, SweepReply, TrajectoryPointReply } from '@mfsim/client';
import { ProgressBar } from '../progress-bar.ts';
import { fields, table } from '../table.ts';
import type { Context } from '../command.ts';

export async function followSimulation(ctx: Context, client: MfsimClient, id: string): Promise<SimulationReply> {
  const first = await client.get(id);
  const bar = new ProgressBar(first.name ?? id.slice(0, 8));
  const totalSteps = first.spec.training.steps;
  try {
    return await client.wait(id, { onProgress: (u) => bar.update({ ...u, totalSteps }) });
  } finally {
    bar.done();
  }
}

export async function followSweep(client: MfsimClient, id: string): Promise<SweepReply> {
  const bar = new ProgressBar(`sweep ${id.slice(0, 8)}`);
  // The bar shows the sweep's progress over all its children and never goes back: a child's event
  // carries that child's steps and losses, which are not the sweep's, so they are not shown.
  let shown = 0;
  try {
    const final = await client.sweeps.wait(id, {
      onProgress: (u) => {
        shown = Math.max(shown, u.progress);
        bar.update({ status: u.status, progress: shown });
      },
    });
    bar.update({ status: final.status, progress: Math.max(shown, final.progress) });
    return final;
  } finally {
    bar.done();
  }
}

/** Exit code for a final status: 0 completed, 1 otherwise. */
export const exitFor = (status: string) => (status === 'completed' ? 0 : 1);

export function describeSimulation(sim: SimulationReply): string {
  const s = sim.spec;
  return fields([
    ['id', sim.id],
    ['name', sim.name],
    ['status', sim.status + (sim.error ? ` (${sim.error})` : '')],
    ['progress', `${(100 * sim.progress).toFixed(1)}% (${sim.stepsDone}/${s.training.steps} steps)`],
    ['seed', sim.seed],
    ['model', `${s.inputs.kind} d=${'d' in s.inputs ? s.inputs.d : '-'}, ${s.target.kind} target, ${s.student.unit} n=${s.student.width}, ${s.student.parameterization}`],
    ['training', `${s.training.dynamics} dt=${s.training.dt}${s.training.batchSize ? ` B=${s.training.batchSize}` : ''}, ${s.replicas} replicas`],
    ['backend', sim.backend ? `${sim.backend}${sim.device ? ` (${sim.device})` : ''}` : null],
    ['created', sim.createdAt],
    // A resumed run (retry, lost worker) starts again: its first start and the time over every attempt.
    ['first started', sim.firstStartedAt ?? sim.startedAt],
    ...(sim.firstStartedAt && sim.startedAt && sim.startedAt !== sim.firstStartedAt ? [['last started', sim.startedAt] as [string, string]] : []),
    ['finished', sim.finishedAt],
    ['run seconds', sim.runSeconds === null ? null : `${sim.runSeconds.toFixed(1)} (every attempt)`],
    ...(sim.divergedAtStep !== null ? [['diverged at step', sim.divergedAtStep] as [string, number]] : []),
    ...(sim.sweepId ? [['sweep', sim.sweepId] as [string, string]] : []),
  ]);
}

/** The last recorded point of every replica (downsampled by the API; the full scan when it cannot). */
export async function lastPoints(client: MfsimClient, sim: SimulationReply): Promise<TrajectoryPointReply[]> {
  if (sim.stepsDone === 0 && sim.status === 'queued') return [];
  let points: TrajectoryPointReply[];
  try {
    points = (await client.trajectory(sim.id, { maxPoints: 4 })).points;
  } catch (err) {
    if (!(err instanceof MfsimApiError && err.status === 400)) throw err;
    points = (await client.fullTrajectory(sim.id)).points;
  }
  const last = new Map<number, TrajectoryPointReply>();
  for (const p of points) if ((last.get(p.replica)?.step ?? -1) < p.step) last.set(p.replica, p);
  return [...last.values()].sort((a, b) => a.replica - b.replica);
}

/** "losses at step S:" and a table of each replica's last losses, with their mean; '' when none. */
export function lossesTable(points: TrajectoryPointReply[]): string {
  if (points.length === 0) return '';
  const mean = (k: 'trainLoss' | 'testLoss' | 'testError') => {
    const v = points.map((p) => p[k]).filter((x): x is number => typeof x === 'number');
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  const steps = [...new Set(points.map((p) => p.step))];
  return [
    `losses at step ${steps.length === 1 ? steps[0] : steps.join('/')}:`,
    table(
      ['replica', 'train loss', 'test loss', 'test error'],
      [...points.map((p) => [p.replica, p.trainLoss, p.testLoss, p.testError]), ...(points.length > 1 ? [['mean', mean('trainLoss'), mean('testLoss'), mean('testError')]] : [])],
    ),
  ].join('\n');
}
