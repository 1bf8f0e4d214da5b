// Database rows as the API's replies (packages/contracts shapes).
import type { SimulationReply, Spec } from '@mfsim/contracts';
import type { SimulationRow } from '@mfsim/db';

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function simulationReply(row: SimulationRow): SimulationReply {
  return {
    id: row.id,
    name: row.name,
    tags: row.tags,
    note: row.note ?? null,
    status: row.status,
    progress: row.progress,
    stepsDone: row.stepsDone,
    seed: Number(row.seed),
    spec: row.spec as unknown as Spec,
    backend: row.backend,
    device: row.device,
    error: row.error,
    divergedAtStep: row.divergedAtStep,
    unstableAtStep: (row.unstableAtStep as (number | null)[] | null) ?? null,
    sweepId: row.sweepId,
    createdAt: row.createdAt.toISOString(),
    startedAt: iso(row.startedAt),
    firstStartedAt: iso(row.firstStartedAt ?? row.startedAt),
    finishedAt: iso(row.finishedAt),
    runSeconds: row.runSeconds,
    width: row.width,
    dynamics: row.dynamics ?? (row.spec as unknown as Spec).training.dynamics,
    dt: row.dt ?? (row.spec as unknown as Spec).training.dt,
    steps: row.totalSteps,
    finalTestLoss: row.finalTestLoss ?? null,
    finalTrainLoss: row.finalTrainLoss ?? null,
    bestTestLoss: row.bestTestLoss ?? null,
    trajectoryDigest: row.trajectoryDigest ?? null,
  };
}
