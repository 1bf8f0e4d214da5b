// Following a simulation or sweep to its end with a progress bar; the exit code says how it ended.
import type { MfsimClient } from '../../client.ts';
import type { SimulationReply, SweepReply } from '../../types.ts';
import { ProgressBar } from '../progress-bar.ts';
import { fields } from '../table.ts';
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
  try {
    return await client.sweeps.wait(id, { onProgress: (u) => bar.update(u) });
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
    ['finished', sim.finishedAt],
    ['run seconds', sim.runSeconds],
    ...(sim.divergedAtStep !== null ? [['diverged at step', sim.divergedAtStep] as [string, number]] : []),
    ...(sim.sweepId ? [['sweep', sim.sweepId] as [string, string]] : []),
  ]);
}
