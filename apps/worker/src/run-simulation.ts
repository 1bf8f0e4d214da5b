// The processor of a simulation job: run the engine in chunks, store each chunk, checkpoint,
// and leave the row in a final status (completed, diverged, failed) or handed back (shutdown).
import type { Job } from 'bullmq';
import { UnrecoverableError, WaitingError } from 'bullmq';
import { fieldIssues, specSchema, type SimulationEvent } from '@mfsim/contracts';
import {
  claimRun, deleteCheckpoint, inlineDataset, findSimulation, loadCheckpoint, markFinished, QUARANTINE_DEATHS, readStatisticsInputs, releaseLease, saveCheckpoint,
  storeTrajectoryDigest, sweepProgress, updateProgress, writeBirthDeath, writeProbeOutputs, writeSnapshots, writeTrajectoryPoints, type Database,
} from '@mfsim/db';
import { countJobMetric, reportStepRate, type SimulationJobData } from '@mfsim/queue';
import { publishSimulationEvent, publishSweepEvent } from '@mfsim/lifecycle';
import type { Redis } from 'ioredis';
import { specHash, verifyCheckpoint, type Chunk } from '@mfsim/engine';
import type { EngineHost } from './engine/engine-host.ts';
import { withRetry } from './retry.ts';
import { storeSimulationStatisticsQuietly } from './simulation-statistics.ts';
import { storeSimulationLimitsQuietly } from './simulation-limits.ts';

export interface RunDeps {
  db: Database;
  engine: EngineHost;
  /** Seconds between checkpoints. */
  checkpointSeconds: number;
  /** True once the worker has been asked to shut down: hand the job back at the next chunk. */
  shuttingDown(): boolean;
  log: (msg: string, extra?: Record<string, unknown>) => void;
  /** For live events and metrics; best effort (a Redis outage does not stop the run). */
  redis?: Redis;
  workerId?: string;
  /** Aborted when a client cancels the job (BullMQ worker.cancelJob). */
  signal?: AbortSignal;
  /** Seconds of the lease the run holds in Postgres (renewed by the caller, see lease.ts); default 60. */
  leaseSeconds?: number;
  /** True once another worker took this run's lease over: stop, write nothing more. */
  leaseLost?: () => boolean;
  /** Told once the claim succeeded, so that a takeover before the lease's first renewal counts as lost. */
  leaseClaimed?: () => void;
}

/**
 * Events and counters are for live views: failures to write them are logged, never fatal.
 * A sweep's child also writes to its sweep's stream: `child` on a status change, `progress` on
 * progress (at most once a second per child), each with the sweep's progress over all children.
 */
function telemetry(deps: RunDeps, id: string, sweep: { sweepId: string; point: unknown; width: number } | null) {
  const best = (what: string, fn: (r: Redis) => Promise<unknown>) =>
    deps.redis ? fn(deps.redis).catch((err: Error) => deps.log(`could not write ${what}`, { id, error: err.message })) : Promise.resolve();
  let lastSweepProgress = 0;
  const toSweep = (type: string, data: Record<string, unknown>) => {
    if (!sweep) return Promise.resolve();
    if (type === 'progress') {
      if (performance.now() - lastSweepProgress < 1000) return Promise.resolve();
      lastSweepProgress = performance.now();
    } else if (type !== 'status') return Promise.resolve();
    return best('sweep event', async (r) => {
      const overall = (await sweepProgress(deps.db, [sweep.sweepId])).get(sweep.sweepId);
      await publishSweepEvent(r, {
        ...data, type: type === 'status' ? 'child' : 'progress', sweepId: sweep.sweepId, simulationId: id,
        point: sweep.point as Record<string, unknown>, width: sweep.width, sweepProgress: overall?.progress ?? 0, counts: overall?.counts ?? {},
      });
    });
  };
  return {
    event: async (type: string, data: Record<string, unknown>) => {
      await best('event', (r) => publishSimulationEvent(r, { ...data, type: type as SimulationEvent['type'], simulationId: id }));
      await toSweep(type, data);
    },
    count: (counter: Parameters<typeof countJobMetric>[1], by = 1) => best('metric', (r) => countJobMetric(r, counter, by)),
    rate: (stepsPerSecond: number) => best('metric', (r) => reportStepRate(r, deps.workerId ?? 'worker', stepsPerSecond)),
  };
}

/** Replica mean of the last recorded values of a chunk (null when none is finite). */
function latestMeans(chunk: Chunk): { trainLoss: number | null; testLoss: number | null } {
  const last = chunk.points.length ? chunk.points[chunk.points.length - 1].step : -1;
  const at = chunk.points.filter((p) => p.step === last);
  const mean = (k: 'trainLoss' | 'testLoss') => {
    const v = at.map((p) => p[k]).filter((x): x is number => x !== null && Number.isFinite(x));
    return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
  };
  return { trainLoss: mean('trainLoss'), testLoss: mean('testLoss') };
}

/** The list's loss columns from one chunk: the latest replica means and the least replica-mean test loss of its steps. */
function chunkLosses(chunk: Chunk): { finalTestLoss: number | null; finalTrainLoss: number | null; bestTestLoss: number | null } {
  const sums = new Map<number, { sum: number; count: number }>();
  for (const p of chunk.points) {
    if (p.testLoss === null || !Number.isFinite(p.testLoss)) continue;
    const s = sums.get(p.step) ?? { sum: 0, count: 0 };
    s.sum += p.testLoss;
    s.count += 1;
    sums.set(p.step, s);
  }
  let best: number | null = null;
  for (const { sum, count } of sums.values()) best = best === null ? sum / count : Math.min(best, sum / count);
  const latest = latestMeans(chunk);
  return { finalTestLoss: latest.testLoss, finalTrainLoss: latest.trainLoss, bestTestLoss: best };
}

const FINAL = new Set(['completed', 'failed', 'cancelled', 'diverged']);

export async function runSimulation(job: Job<SimulationJobData>, token: string | undefined, deps: RunDeps): Promise<void> {
  const { db, engine } = deps;
  const id = job.data.simulationId;
  const row = await withRetry(() => findSimulation(db, id));
  if (!row) return deps.log('simulation row is gone; dropping its job', { id });
  if (FINAL.has(row.status)) return deps.log('simulation already finished; nothing to do', { id, status: row.status });

  // The stored spec is checked again: it may come from an older version of the contract.
  const parsed = specSchema.safeParse(row.spec);
  if (!parsed.success) {
    const error = `stored spec is invalid: ${fieldIssues(parsed.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`;
    await withRetry(() => markFinished(db, id, { status: 'failed', error }));
    throw new UnrecoverableError(error);
  }
  const spec = parsed.data;
  const identity = { simulationId: id, specHash: specHash(spec, row.seed) };
  const live = telemetry(deps, id, row.sweepId ? { sweepId: row.sweepId, point: row.sweepPoint ?? {}, width: row.width } : null);
  // Claimed before its checkpoint is loaded: a run that kills its worker (loading included) is quarantined here.
  const owner = deps.workerId ?? `worker-${process.pid}`;
  const claim = await withRetry(() =>
    claimRun(db, id, { owner, leaseSeconds: deps.leaseSeconds ?? 60, backend: engine.info.kernel, device: engine.info.device }));
  if (!claim) return deps.log('simulation was cancelled before it started', { id });
  deps.leaseClaimed?.();
  if (claim.workerDeaths >= QUARANTINE_DEATHS) {
    const error = `quarantined: the worker running it died ${claim.workerDeaths} times in a row without saving progress (last worker ${claim.previousOwner}); not handed to another worker (retry it to run it again)`;
    await withRetry(() => markFinished(db, id, { status: 'failed', error }));
    await withRetry(() => releaseLease(db, id, owner));
    await live.count('jobs_failed');
    await live.event('status', { status: 'failed', error });
    throw new UnrecoverableError(error);
  }
  if (claim.previousOwner) deps.log('taking over a run whose worker died', { id, previousOwner: claim.previousOwner, workerDeaths: claim.workerDeaths });
  const resume = claim.hasCheckpoint ? await loadOwnCheckpoint(deps, identity) : undefined;
  await live.event('status', { status: 'running', stepsDone: resume?.step ?? 0, totalSteps: spec.training.steps });
  await live.count('jobs_started');
  let cancelled = false;
  let lastChunkAt = performance.now();

  // Run time is counted chunk by chunk into the row (every attempt adds its own), so a resumed run's
  // total goes on and a worker that dies loses at most its last chunk's seconds.
  let counted = performance.now();
  let lastCheckpoint = performance.now();
  let diverged: Chunk['diverged'];
  let stepsDone = resume?.step ?? 0;

  const store = async (chunk: Chunk, checkpoint?: { step: number; state: Uint8Array }) => {
    await withRetry(async () => {
      await writeTrajectoryPoints(db, id, chunk.points);
      await writeProbeOutputs(db, id, chunk.probes);
      await writeSnapshots(db, id, chunk.snapshots);
      await writeBirthDeath(db, id, chunk.birthDeath ?? []);
    });
    // The checkpoint is saved only after every point up to its step is stored.
    if (checkpoint) await withRetry(() => saveCheckpoint(db, id, checkpoint.step, checkpoint.state));
    stepsDone = chunk.toStep;
    diverged = chunk.diverged;
    const summary = { seconds: seconds(counted), ...chunkLosses(chunk) };
    counted = performance.now();
    const now = await withRetry(() => updateProgress(db, id, chunk.toStep, chunk.totalSteps, summary));
    // The row is the backstop of a cancel whose message this worker missed.
    if (now.status === 'cancelled') cancelled = true;
    const steps = chunk.toStep - chunk.fromStep;
    const elapsed = (performance.now() - lastChunkAt) / 1000;
    lastChunkAt = performance.now();
    // Counters, rate, event and the queue's progress are independent: sent together, not one after another.
    await Promise.all([
      live.count('steps', steps),
      elapsed > 0 && live.rate(steps / elapsed),
      live.event('progress', {
        stepsDone: chunk.toStep, totalSteps: chunk.totalSteps, progress: chunk.totalSteps > 0 ? chunk.toStep / chunk.totalSteps : 1, ...latestMeans(chunk),
      }),
      // The queue's copy of the progress is for BullMQ dashboards only; the row is the record. A Redis
      // that lost the job (restarted without persistence) must not fail the run.
      job.updateProgress(Math.round((1000 * chunk.toStep) / chunk.totalSteps) / 10).catch((err: Error) =>
        deps.log('could not report progress to the queue', { id, error: err.message })),
    ]);
  };

  let result;
  try {
    // A stored dataset (of the simulation's own project) is inlined here: the engine takes only inline points.
    const runnable = await withRetry(() => inlineDataset(db, spec, row.project));
    result = await engine.run(runnable, Number(row.seed), identity, resume?.state, {
      onChunk: store,
      checkpointDue: () => {
        if (performance.now() - lastCheckpoint < deps.checkpointSeconds * 1000) return false;
        lastCheckpoint = performance.now();
        return true;
      },
      stopRequested: () => deps.shuttingDown() || cancelled || deps.signal?.aborted === true || deps.leaseLost?.() === true,
    });
  } catch (err) {
    const message = (err as Error).message;
    if (deps.leaseLost?.()) {
      // Another worker runs it now: this worker's failure is not the run's (its status is not ours to write).
      deps.log('stopped after losing the lease; not failing the run another worker holds', { id, error: message });
      return;
    }
    await withRetry(() => markFinished(db, id, { status: 'failed', error: message, stepsDone, runSeconds: seconds(counted) }));
    await live.count('jobs_failed');
    await live.event('status', { status: 'failed', error: message, stepsDone });
    throw err;
  }

  if (result.stopped && !cancelled && !deps.signal?.aborted && deps.leaseLost?.()) {
    // Another worker runs it now: its checkpoint and status are not this worker's to write.
    deps.log('stopped: another worker took the run over', { id, step: result.checkpoint.step });
    return;
  }
  if (result.stopped && (cancelled || deps.signal?.aborted)) {
    // Cancelled by a client: keep what was computed and the state (a retry resumes from it).
    await withRetry(() => saveCheckpoint(db, id, result.checkpoint.step, result.checkpoint.state));
    await withRetry(() => markFinished(db, id, { status: 'cancelled', stepsDone, runSeconds: seconds(counted) }));
    deps.log('cancelled', { id, step: result.checkpoint.step });
    await live.count('jobs_cancelled');
    await live.event('status', { status: 'cancelled', stepsDone });
    return;
  }
  if (result.stopped) {
    // Shutdown: keep the state, give the job back to the queue for another worker.
    await withRetry(() => saveCheckpoint(db, id, result.checkpoint.step, result.checkpoint.state));
    deps.log('handing the job back', { id, step: result.checkpoint.step });
    await live.event('status', { status: 'queued', stepsDone, reason: 'worker shutting down; handed back' });
    await job.moveToWait(token);
    throw new WaitingError();
  }

  // Before the final status, so a finished run always has its statistics and its digest.
  // The records are read once for both; the three writes are independent and go out together.
  const records = await withRetry(() => readStatisticsInputs(db, id, spec.replicas)).catch((err: Error) => {
    deps.log('could not read the records for statistics and limits', { id, error: err.message });
    return undefined;
  });
  await Promise.all([
    records && storeSimulationStatisticsQuietly(db, id, spec, deps.log, records),
    withRetry(() => storeTrajectoryDigest(db, id)),
    records && storeSimulationLimitsQuietly(db, id, spec, Number(row.seed), deps.log, records),
  ]);
  await withRetry(() =>
    markFinished(db, id, diverged
      ? { status: 'diverged', divergedAtStep: diverged.step, stepsDone, runSeconds: seconds(counted), error: `loss became non-finite at step ${diverged.step} (replica ${diverged.replica})` }
      : { status: 'completed', stepsDone, runSeconds: seconds(counted) }),
  );
  await withRetry(() => deleteCheckpoint(db, id));
  await live.count(diverged ? 'jobs_failed' : 'jobs_completed');
  await live.event('status', { status: diverged ? 'diverged' : 'completed', stepsDone });
}

/**
 * The stored checkpoint, when it is this simulation's own (its id, spec hash and step match). One
 * that is not is refused, deleted and logged, and the run starts from step 0: it rewrites the same
 * points (the run is deterministic), so nothing another run left under this id survives.
 */
async function loadOwnCheckpoint(deps: RunDeps, identity: { simulationId: string; specHash: string }) {
  const id = identity.simulationId;
  const stored = await withRetry(() => loadCheckpoint(deps.db, id));
  if (!stored) return undefined;
  try {
    verifyCheckpoint(stored.state, identity, stored.step);
  } catch (err) {
    deps.log('refusing the stored checkpoint; starting from step 0', { id, step: stored.step, error: (err as Error).message });
    await withRetry(() => deleteCheckpoint(deps.db, id));
    return undefined;
  }
  deps.log('resuming from checkpoint', { id, step: stored.step });
  return stored;
}

const seconds = (since: number) => (performance.now() - since) / 1000;
