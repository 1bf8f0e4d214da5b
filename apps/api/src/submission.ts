// Submitting a simulation: validate, refuse what no worker can hold, write the row, queue the job.
// Nothing is written or queued for a spec that is refused; a row whose job cannot be queued is removed.
import { randomInt } from 'node:crypto';
import { specSchema, type Spec } from '@mfsim/contracts';
import { createSimulation, deleteSimulation, type IdempotentWrite, type SimulationRow } from '@mfsim/db';
import type { WorkerKind } from '@mfsim/queue';
import { NoGpuWorkerError, placeSimulation, queueSimulation } from '@mfsim/lifecycle';
import { estimateMemory } from '@mfsim/engine/memory';
import type { ApiDeps } from './deps.ts';
import { withDatasetShape } from './dataset-shape.ts';
import { checkQuotas } from './quotas.ts';
import { parseOr400, RequestError, UnavailableError } from './errors.ts';
import { keyTakenOver } from './idempotency.ts';

const GiB = 1024 ** 3;

function checkMemory(spec: Spec, budget: number) {
  const estimate = estimateMemory(spec);
  if (estimate.bytes <= budget) return;
  const largest = Object.entries(estimate.parts).sort((a, b) => b[1] - a[1]).slice(0, 3);
  const detail = largest.map(([name, bytes]) => `${name} ${(bytes / GiB).toFixed(2)} GiB`).join(', ');
  const message =
    `needs about ${(estimate.bytes / GiB).toFixed(2)} GiB, over the worker budget of ${(budget / GiB).toFixed(2)} GiB (${detail})`;
  throw new RequestError(400, `spec too large: ${message}`, [
    { path: 'student.width', message },
    { path: 'replicas', message },
  ]);
}

/** The queue for `spec` (the lifecycle's one placement rule); a 400 naming resources.gpu when it cannot be placed. */
export async function chooseQueue(deps: ApiDeps, spec: Spec): Promise<WorkerKind> {
  try {
    return await placeSimulation(deps.redis, spec);
  } catch (err) {
    if (!(err instanceof NoGpuWorkerError)) throw err;
    throw new RequestError(400, err.message, [
      { path: 'resources.gpu', message: '"required", but no GPU worker has ever registered; use "preferred" or "no"' },
    ]);
  }
}

/**
 * Checks, stores and queues a simulation owned by `project` (a dataset it names must be that
 * project's). `idempotent`: the request's Idempotency-Key, whose reply is recorded with the row.
 */
export async function submitSimulation(
  deps: ApiDeps, body: unknown, project: string, o: { idempotent?: IdempotentWrite<SimulationRow> } = {},
): Promise<SimulationRow> {
  const parsed = parseOr400(specSchema, body, 'spec');
  // The seed is part of the stored spec, so resubmitting a stored spec reproduces the run.
  const spec: Spec = { ...parsed, seed: parsed.seed ?? randomInt(0, 2 ** 31) };
  // A stored dataset is checked by its sizes, never read here (dataset-shape.ts).
  const shaped = await withDatasetShape(deps, spec, project);
  checkMemory(shaped, deps.memoryBudgetBytes);
  await checkQuotas(deps, [shaped], project);
  const kind = await chooseQueue(deps, spec);
  const row = await createSimulation(deps.db, { spec, seed: spec.seed!, totalSteps: spec.training.steps, priority: spec.priority, project }, o)
    .catch(keyTakenOver);
  try {
    await queueSimulation(deps, { id: row.id, spec, kind });
  } catch (err) {
    await deleteSimulation(deps.db, row.id, o);
    throw new UnavailableError(`could not queue the simulation: ${(err as Error).message}`);
  }
  return row;
}
