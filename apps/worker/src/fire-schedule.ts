// The processor of a schedule firing: submit the schedule's sweep template as a new sweep linked
// to the schedule. Idempotent per firing: the firing's job id is stored on the sweep (unique), so a
// retried or re-delivered firing finds its sweep instead of making a second one.
import { randomInt } from 'node:crypto';
import type { Job, FlowProducer } from 'bullmq';
import { expandSweep, sweepRequestSchema } from '@mfsim/contracts';
import { findSchedule, findSweepByFiring, type Database } from '@mfsim/db';
import { sweepFlowQueued, type ScheduleFiringData, type SweepQueue } from '@mfsim/queue';
import { launchSweep, requeueSweepFlow } from '@mfsim/lifecycle';
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
  if (!schedule || schedule.paused || schedule.deletedAt) {
    log('schedule is deleted or paused; firing skipped', { scheduleId, firingId });
    return null;
  }

  const existing = await withRetry(() => findSweepByFiring(db, firingId));
  if (existing) {
    // Made by an earlier attempt of this firing; queue its flow if that attempt died before it could
    // (each child on the queue its own spec asks for, as when the sweep was launched).
    if (!(await sweepFlowQueued(deps.sweepQueue, existing.id))) await requeueSweepFlow(deps, existing.id);
    return existing.id;
  }

  // The template was checked when the schedule was made; the contract may have changed since.
  const request = sweepRequestSchema.safeParse(schedule.template);
  const expansion = request.success ? expandSweep(request.data, randomInt(0, 2 ** 31)) : null;
  if (!request.success || !expansion?.ok) {
    log('schedule template no longer valid; firing skipped', { scheduleId, firingId });
    return null;
  }
  let sweep;
  try {
    // The sweep and its children belong to the schedule's project. A flow that cannot be queued
    // fails this attempt; the retried firing finds the sweep and queues its flow (above).
    sweep = await launchSweep(deps, { project: schedule.project, request: request.data, expansion, scheduleId, firingId });
  } catch (err) {
    // Another worker took the same firing at the same moment: its sweep stands.
    if ((err as { code?: string }).code === 'P2002') return (await findSweepByFiring(db, firingId))?.id ?? null;
    throw err;
  }
  log('schedule fired', { scheduleId, firingId, sweepId: sweep.id });
  return sweep.id;
}
