// Recovery: Postgres is the source of truth, Redis may forget. A Redis that restarts without
// persistence (as the lab's local servers run) forgets every queued job, scheduler and flow while
// Postgres still has the rows. The API looks at start and every MFSIM_RECOVERY_SECONDS, and:
// - queues again the `queued` simulations with no job (a simulation on its own queue, a sweep's
//   children as a new flow with an aggregation of its own). A row counts as lost only if it has no
//   job on two looks `settleMs` apart (a submission or retry in flight adds its job within
//   milliseconds), and job ids are simulation ids, so nothing is ever queued twice;
// - puts back to `queued` a `running` simulation with no live lease (expired: its worker stopped renewing; none: handed back;
//   packages/db/src/leases.ts) and whose job is gone or not active, so the step above queues it;
// - restores the job scheduler of every active schedule that Redis no longer has;
// - queues the aggregation of a sweep still open after all its children ended.
import { specSchema } from '@mfsim/contracts';
import { activeSchedules, expiredLeases, queuedSimulations, requeueExpired, settledOpenSweeps } from '@mfsim/db';
import { nextScheduleFiring, openScheduleQueue, upsertScheduleFiring, type ScheduleQueue, type WorkerKind } from '@mfsim/queue';
import type { ApiDeps } from './deps.ts';
import { placeSimulation, queueLostSweepChildren, queueSimulation, queueSweepAggregation } from '@mfsim/lifecycle';

export interface Recovered {
  simulations: string[];
  sweeps: string[];
  /** Running simulations put back to queued because their lease expired with no live job. */
  expired?: string[];
  /** Schedules whose scheduler was restored. */
  schedules?: string[];
  /** Sweeps whose aggregation was queued again. */
  aggregated?: string[];
}

async function hasJob(deps: ApiDeps, id: string): Promise<boolean> {
  const jobs = await Promise.all(Object.values(deps.queues).map((queue) => queue.getJob(id)));
  return jobs.some(Boolean);
}

/** The `queued` rows (of `among`, when given) with no job in any queue; the lookups go out together. */
async function lostQueued(deps: ApiDeps, among?: Set<string>) {
  const rows = (await queuedSimulations(deps.db)).filter((r) => !among || among.has(r.id));
  const found = await Promise.all(rows.map((r) => hasJob(deps, r.id)));
  return rows.filter((_, i) => !found[i]);
}

/** A job that is being worked on or waits for a worker: its simulation is not lost. */
async function liveJob(deps: ApiDeps, id: string): Promise<boolean> {
  const jobs = await Promise.all(Object.values(deps.queues).map((queue) => queue.getJob(id)));
  const states = await Promise.all(jobs.filter((j) => j !== undefined).map((j) => j.getState()));
  return states.some((s) => ['active', 'waiting', 'prioritized', 'delayed', 'waiting-children'].includes(s));
}

/** `running` rows whose lease expired and whose job is not live: back to `queued` (recoverLostJobs then queues them). */
export async function requeueExpiredLeases(deps: ApiDeps): Promise<string[]> {
  const out: string[] = [];
  for (const row of await expiredLeases(deps.db)) {
    if (await liveJob(deps, row.id)) continue; // BullMQ still has it: its stall check hands it on
    // A job that is gone or finished/failed in Redis: the job is removed so that the id can be queued again.
    for (const queue of Object.values(deps.queues)) await (await queue.getJob(row.id))?.remove().catch(() => {});
    if (await requeueExpired(deps.db, row.id)) out.push(row.id);
  }
  return out;
}

/** Restores the scheduler of each active schedule that Redis lost. */
export async function restoreSchedules(deps: ApiDeps, queue: ScheduleQueue): Promise<string[]> {
  const out: string[] = [];
  for (const s of await activeSchedules(deps.db)) {
    if (await nextScheduleFiring(queue, s.id)) continue;
    await upsertScheduleFiring(queue, s);
    out.push(s.id);
  }
  return out;
}

/**
 * Queues the aggregation of each open sweep whose children have all ended, when it was already so
 * at the previous pass (`seen`; the sweep's own aggregation runs within moments of its last child).
 * One job id per sweep: never twice at once.
 */
export async function reaggregateSettledSweeps(deps: ApiDeps, seen: Set<string>): Promise<string[]> {
  const out: string[] = [];
  const settled = await settledOpenSweeps(deps.db);
  const before = new Set(seen);
  seen.clear();
  for (const sweepId of settled) {
    seen.add(sweepId);
    if (!before.has(sweepId)) continue;
    await queueSweepAggregation(deps, sweepId);
    out.push(sweepId);
  }
  return out;
}

/** Queues again the `queued` simulations that have no job; returns what it queued. */
export async function recoverLostJobs(deps: ApiDeps, o: { settleMs?: number } = {}): Promise<Recovered> {
  const first = new Set((await lostQueued(deps)).map((r) => r.id));
  if (first.size === 0) return { simulations: [], sweeps: [] };
  await new Promise((r) => setTimeout(r, o.settleMs ?? 2_000));
  const lost = await lostQueued(deps, first);

  const recovered: Recovered = { simulations: [], sweeps: [] };
  const bySweep = new Map<string, { simulationId: string; kind: WorkerKind }[]>();
  for (const row of lost) {
    const spec = specSchema.parse(row.spec);
    // Where it was placed (the lifecycle's rule); `required` waits on the GPU queue even while the
    // registry of GPU workers (also in Redis) is empty again.
    const kind = await placeSimulation(deps.redis, spec, { waitForGpu: true });
    if (row.sweepId) {
      bySweep.set(row.sweepId, [...(bySweep.get(row.sweepId) ?? []), { simulationId: row.id, kind }]);
      continue;
    }
    await queueSimulation(deps, { id: row.id, spec, kind });
    recovered.simulations.push(row.id);
  }
  for (const [sweepId, children] of bySweep) {
    await queueLostSweepChildren(deps, sweepId, children);
    recovered.sweeps.push(sweepId);
    recovered.simulations.push(...children.map((c) => c.simulationId));
  }
  return recovered;
}

/** Runs every recovery step now and every `everySeconds` (0: only now); returns a stop function. */
export function startRecovery(deps: ApiDeps, everySeconds: number, log: (msg: string, extra?: object) => void): () => void {
  let running = false;
  const schedules = openScheduleQueue(deps.queues.cpu.opts.connection);
  const settledSweeps = new Set<string>();
  const step = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      log(`recovery could not ${what}`, { error: (err as Error).message });
      return undefined;
    }
  };
  const pass = async () => {
    if (running) return;
    running = true;
    try {
      const expired = await step('look for expired leases', () => requeueExpiredLeases(deps));
      if (expired?.length) log('running simulations whose lease expired are queued again', { expired });
      const r = await step('look for lost jobs', () => recoverLostJobs(deps));
      if (r?.simulations.length) log('queued again simulations whose jobs were lost', r);
      const restored = await step('restore schedules', () => restoreSchedules(deps, schedules));
      if (restored?.length) log('restored the schedulers of schedules Redis lost', { schedules: restored });
      const aggregated = await step('look for settled sweeps', () => reaggregateSettledSweeps(deps, settledSweeps));
      if (aggregated?.length) log('queued the aggregation of sweeps whose children have all ended', { sweeps: aggregated });
    } finally {
      running = false;
    }
  };
  void pass();
  const timer = everySeconds > 0 ? setInterval(pass, everySeconds * 1000) : undefined;
  timer?.unref();
  return () => {
    clearInterval(timer);
    void schedules.close();
  };
}
