// The processor of a schedule firing: submit the schedule's sweep template as a new sweep linked
// to the schedule. Idempotent per firing: the firing's job id is stored on the sweep (unique), so a
// retried or re-delivered firing finds its sweep instead of making a second one.
import { randomInt } from 'node:crypto';
import type { Job, FlowProducer } from 'bullmq';
import { expandSweep, sweepRequestSchema } from '@mfsim/contracts';
import { createSweep, findSchedule, findSweepByFiring, sweepChildren, type Database } from '@mfsim/db';
import {
  enqueueSweepFlow, gpuWorkersRegistered, queueKindFor, sweepFlowQueued, type ScheduleFiringData, type SweepQueue,
} from '@mfsim/queue';
import type { Redis } from 'ioredis';
import { withRetry } from './retry.ts';

export interface FireDeps {
  db: Database;
  redis: Redis;
  flows: FlowProducer;
  sweepQueue: SweepQueue;
  log: (msg: string, extra?: Record<string, unknown>) => void;
}

export async function fireSchedule(job: Job<ScheduleFiringData>, deps: FireDeps): Promise<string | null> {
  const { db, log } = deps;
  const { scheduleId } = job.data;
  const firingId = job.id!;
  const schedule = await withRetry(() => findSchedule(db, scheduleId));
  if (!schedule || schedule.paused) {
    log('schedule is gone or paused; firing skipped', { scheduleId, firingId });
    return null;
  }

  const existing = await withRetry(() => findSweepByFiring(db, firingId));
  if (existing) {
    // Made by an earlier attempt of this firing; queue its flow if that attempt died before it could.
    if (!(await sweepFlowQueued(deps.sweepQueue, existing.id))) {
      const children = await sweepChildren(db, existing.id);
      const haveGpu = await gpuWorkersRegistered(deps.redis);
      await enqueueSweepFlow(deps.flows, existing.id, children.map((c) => ({ simulationId: c.id, kind: queueKindFor('preferred', haveGpu) })));
    }
    return existing.id;
  }

  // The template was checked when the schedule was made; the contract may have changed since.
  const request = sweepRequestSchema.safeParse(schedule.template);
  const expansion = request.success ? expandSweep(request.data, randomInt(0, 2 ** 31)) : null;
  if (!request.success || !expansion?.ok) {
    log('schedule template no longer valid; firing skipped', { scheduleId, firingId });
    return null;
  }
  const haveGpu = await gpuWorkersRegistered(deps.redis);
  let created;
  try {
    created = await createSweep(db, {
      name: request.data.name,
      base: request.data.base,
      grid: request.data.grid,
      replicas: expansion.points[0].spec.replicas,
      seed: expansion.seed,
      scheduleId,
      firingId,
      // The sweep and its children belong to the schedule's project.
      project: schedule.project,
      points: expansion.points,
    });
  } catch (err) {
    // Another worker took the same firing at the same moment: its sweep stands.
    if ((err as { code?: string }).code === 'P2002') return (await findSweepByFiring(db, firingId))?.id ?? null;
    throw err;
  }
  await enqueueSweepFlow(
    deps.flows,
    created.sweep.id,
    created.childIds.map((simulationId, i) => ({ simulationId, kind: queueKindFor(expansion.points[i].spec.resources.gpu, haveGpu) })),
  );
  log('schedule fired', { scheduleId, firingId, sweepId: created.sweep.id });
  return created.sweep.id;
}
