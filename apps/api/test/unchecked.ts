// Writes a simulation row and its job directly, bypassing validation, to test how the worker
// handles a stored spec it cannot run.
import { randomUUID } from 'node:crypto';
import { enqueueSimulation } from '@mfsim/queue';
import type { ApiDeps } from '../src/deps.ts';

export async function insertSimulationUnchecked(deps: ApiDeps, spec: Record<string, unknown>): Promise<string> {
  const id = randomUUID();
  await deps.db.prisma.simulation.create({
    data: { id, spec: spec as object, seed: 1n, replicas: 1, width: 1, totalSteps: 1, tags: [] },
  });
  await enqueueSimulation(deps.queues.cpu, id);
  return id;
}
