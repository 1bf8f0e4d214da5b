// Jobs lost with Redis: a Redis that restarts without persistence (as the lab's local servers run)
// forgets every queued job, while Postgres still says `queued`. The API looks for such simulations
// at start and every MFSIM_RECOVERY_SECONDS, and queues them again: a simulation on its own queue,
// a sweep's children as a new flow with an aggregation of its own. A row counts as lost only if
// it has no job on two looks `settleMs` apart (a submission or retry in flight adds its job within
// milliseconds), and job ids are simulation ids, so nothing is ever queued twice.
// Not covered: a `running` simulation whose worker died while Redis lost its job (its row stays
// running), and a sweep whose aggregation job alone was lost after its children finished.
import { specSchema } from '@mfsim/contracts';
import { queuedSimulations } from '@mfsim/db';
import { enqueueSimulation, enqueueSweepFlow, type WorkerKind } from '@mfsim/queue';
import type { ApiDeps } from './deps.ts';
import { bullPriority, chooseQueue } from './submission.ts';

export interface Recovered {
  simulations: string[];
  sweeps: string[];
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
    // Where it was placed: chooseQueue's answer, or the GPU queue for `required` while the
    // registry of GPU workers (also in Redis) is empty again.
    const kind: WorkerKind = await chooseQueue(deps, spec).catch(() => 'gpu' as const);
    if (row.sweepId) {
      bySweep.set(row.sweepId, [...(bySweep.get(row.sweepId) ?? []), { simulationId: row.id, kind }]);
      continue;
    }
    await enqueueSimulation(deps.queues[kind], row.id, bullPriority(spec));
    recovered.simulations.push(row.id);
  }
  for (const [sweepId, children] of bySweep) {
    await enqueueSweepFlow(deps.flows, sweepId, children, { aggregationJobId: `${sweepId}-recovered-${Date.now()}` });
    recovered.sweeps.push(sweepId);
    recovered.simulations.push(...children.map((c) => c.simulationId));
  }
  return recovered;
}

/** Runs recoverLostJobs now and every `everySeconds` (0: only now); returns a stop function. */
export function startRecovery(deps: ApiDeps, everySeconds: number, log: (msg: string, extra?: object) => void): () => void {
  let running = false;
  const pass = async () => {
    if (running) return;
    running = true;
    try {
      const r = await recoverLostJobs(deps);
      if (r.simulations.length) log('queued again simulations whose jobs were lost', r);
    } catch (err) {
      log('could not look for lost jobs', { error: (err as Error).message });
    } finally {
      running = false;
    }
  };
  void pass();
  const timer = everySeconds > 0 ? setInterval(pass, everySeconds * 1000) : undefined;
  timer?.unref();
  return () => clearInterval(timer);
}
