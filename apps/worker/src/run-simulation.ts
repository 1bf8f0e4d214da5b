// The processor of a simulation job: run the engine in chunks, store each chunk, checkpoint,
// and leave the row in a final status (completed, diverged, failed) or handed back (shutdown).
import type { Job } from 'bullmq';
import { UnrecoverableError, WaitingError } from 'bullmq';
import { fieldIssues, specSchema, type SimulationEvent, type SweepEvent } from '@mfsim/contracts';
import {
  claimRun, deleteCheckpoint, finishRun, inlineDataset, findSimulation, loadCheckpoint, markFinished, QUARANTINE_DEATHS, readStatisticsInputs, releaseLease,
  saveCheckpoint, storeChunk, storeTrajectoryDigest, sweepProgress, UnknownSimulationError, writeSnapshots, type Database, type Outcome, type RunEnd,
  type StatisticsInputs, type SweepProgress,
} from '@mfsim/db';
import {
  addJobMetric, addStepRate, sendLiveParts, type JobCounter, type LivePart, type SimulationJobData,
} from '@mfsim/queue';
import type { Redis } from 'ioredis';
import { addSimulationEvent, addSweepEvent } from '@mfsim/lifecycle';
import { specHash, verifyCheckpoint, type Chunk } from '@mfsim/engine';
import type { EngineHost } from './engine/engine-host.ts';
import { isTransient, withRetry } from './retry.ts';
import { KeptRecords } from './kept-records.ts';
import { simulationStatistics, storeSimulationStatisticsQuietly } from './simulation-statistics.ts';
import { simulationLimitsReport, storeSimulationLimitsQuietly } from './simulation-limits.ts';
import type { LimitsPrediction } from './engine/limits-prediction.ts';

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
  /** Told when the run's last write gave the lease up itself (the caller need not release it). */
  leaseReleased?: () => void;
}

/**
 * The latest progress of each sweep this process has read, for its children's events: a child's
 * `running` event and its progress events take it when it is under a second old (with the child's
 * own start counted in), so a sweep of many short children is not counted over for each of them.
 * A child's final event always reads it anew, after the child's own final write.
 */
const sweepProgressSeen = new Map<string, { at: number; value: SweepProgress }>();
const SWEEP_PROGRESS_FRESH_MS = 1000;

async function currentSweepProgress(db: Database, sweepId: string, event: { type: string; status?: unknown }): Promise<SweepProgress | undefined> {
  const seen = sweepProgressSeen.get(sweepId);
  const fresh = seen && performance.now() - seen.at < SWEEP_PROGRESS_FRESH_MS;
  if (fresh && event.type === 'progress') return seen.value;
  if (fresh && event.type === 'status' && event.status === 'running' && (seen.value.counts.queued ?? 0) > 0) {
    const counts = { ...seen.value.counts, queued: seen.value.counts.queued - 1, running: (seen.value.counts.running ?? 0) + 1 };
    if (counts.queued === 0) delete (counts as Record<string, number>).queued;
    seen.value = { ...seen.value, counts };
    return seen.value;
  }
  const value = (await sweepProgress(db, [sweepId], { reference: false })).get(sweepId);
  if (value) sweepProgressSeen.set(sweepId, { at: performance.now(), value });
  // Sweeps this process no longer hears of are forgotten.
  for (const [id, v] of sweepProgressSeen) if (performance.now() - v.at > 60_000) sweepProgressSeen.delete(id);
  return value;
}

/** One moment's live writes of a run: its event (a status or progress), counters and step rate. */
interface LiveMoment {
  event?: { type: SimulationEvent['type']; data: Record<string, unknown> };
  counters?: [JobCounter, number][];
  rate?: number;
}

/**
 * Events and counters are for live views: failures to write them are logged, never fatal.
 * A moment's writes go out in one round trip (packages/queue live-batch.ts): the simulation's event,
 * its sweep's, the counters and the step rate. Moments are written in order, one after another: one
 * the run need not wait for (`later`: its start, a chunk's progress) stays in flight while the run
 * goes on, and the next waits for it (`now`, `settled`).
 * A sweep's child also writes to its sweep's stream: `child` on a status change, `progress` on
 * progress (at most once a second per child, none for its last chunk: its final status follows), each
 * with the sweep's progress over all children.
 */
function telemetry(deps: RunDeps, id: string, sweep: { sweepId: string; point: unknown; width: number } | null) {
  let lastSweepProgress = 0;
  /** The sweep's event for this moment, or none (read before the moment is sent: it may ask Postgres). */
  const sweepPart = async (type: string, data: Record<string, unknown>, at: string): Promise<LivePart | undefined> => {
    if (!sweep) return undefined;
    if (type === 'progress') {
      // A child's last chunk is told by its final status, which follows at once.
      if (data.progress === 1) return undefined;
      if (performance.now() - lastSweepProgress < 1000) return undefined;
      lastSweepProgress = performance.now();
    } else if (type !== 'status') return undefined;
    const overall = await currentSweepProgress(deps.db, sweep.sweepId, { type, status: data.status });
    const event = {
      ...data, type: type === 'status' ? 'child' : 'progress', sweepId: sweep.sweepId, simulationId: id, point: sweep.point as Record<string, unknown>,
      width: sweep.width, sweepProgress: overall?.progress ?? 0, counts: overall?.counts ?? {}, at,
    } satisfies SweepEvent;
    return { what: 'sweep event', add: (p) => addSweepEvent(p, event) };
  };
  /** `at`: when the moment happened (it may be written a little later, after the one before it). */
  const write = async (m: LiveMoment, at: string) => {
    const redis = deps.redis;
    if (!redis) return;
    const parts: LivePart[] = [];
    if (m.event) {
      const { type, data } = m.event;
      parts.push({ what: 'event', add: (p) => addSimulationEvent(p, { ...data, type, simulationId: id, at }) });
      const toSweep = await sweepPart(type, data, at).catch((err: Error) => void deps.log('could not write sweep event', { id, error: err.message }));
      if (toSweep) parts.push(toSweep);
    }
    for (const [counter, by] of m.counters ?? []) parts.push({ what: 'metric', add: (p) => addJobMetric(p, counter, by) });
    if (m.rate !== undefined) parts.push({ what: 'metric', add: (p) => addStepRate(p, deps.workerId ?? 'worker', m.rate!) });
    const failed = await sendLiveParts(redis, parts);
    for (const what of new Set(failed.map((f) => f.what))) {
      deps.log(`could not write ${what}`, { id, error: failed.find((f) => f.what === what)!.error });
    }
  };
  let inFlight: Promise<void> = Promise.resolve();
  const queue = (m: LiveMoment, alongside?: Promise<unknown>) => {
    const at = new Date().toISOString();
    const written = inFlight.then(() => write(m, at)).catch((err: Error) => deps.log('could not write live events', { id, error: err.message }));
    inFlight = alongside ? Promise.all([written, alongside]).then(() => {}) : written;
    return inFlight;
  };
  return {
    /** Writes the moment after those before it; resolves once it is written (or its failure logged). */
    now: (m: LiveMoment) => queue(m),
    /** As `now`, not waited for: the next moment (or `settled`) waits for it. `alongside`: another write to wait for with it. */
    later: (m: LiveMoment, alongside?: Promise<unknown>) => void queue(m, alongside),
    /** Resolves once every moment so far is written. */
    settled: () => inFlight,
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


export async function runSimulation(job: Job<SimulationJobData>, token: string | undefined, deps: RunDeps): Promise<void> {
  const { db, engine } = deps;
  const id = job.data.simulationId;
  // The claim reads the row it takes (no lookup before it). Claimed before its checkpoint is loaded:
  // a run that kills its worker (loading included) is quarantined here.
  const owner = deps.workerId ?? `worker-${process.pid}`;
  const claim = await withRetry(() =>
    claimRun(db, id, { owner, leaseSeconds: deps.leaseSeconds ?? 60, backend: engine.info.kernel, device: engine.info.device }));
  if (!claim) {
    const gone = await withRetry(() => findSimulation(db, id));
    if (!gone) return deps.log('simulation row is gone; dropping its job', { id });
    return deps.log(gone.status === 'cancelled' ? 'simulation was cancelled before it started' : 'simulation already finished; nothing to do', { id, status: gone.status });
  }
  deps.leaseClaimed?.();
  const row = claim.row;

  // The stored spec is checked again: it may come from an older version of the contract.
  const parsed = specSchema.safeParse(row.spec);
  if (!parsed.success) {
    const error = `stored spec is invalid: ${fieldIssues(parsed.error).map((i) => `${i.path}: ${i.message}`).join('; ')}`;
    await withRetry(() => markFinished(db, id, { status: 'failed', error }));
    await withRetry(() => releaseLease(db, id, owner));
    throw new UnrecoverableError(error);
  }
  const spec = parsed.data;
  const identity = { simulationId: id, specHash: specHash(spec, row.seed) };
  const live = telemetry(deps, id, row.sweepId ? { sweepId: row.sweepId, point: row.sweepPoint ?? {}, width: row.width } : null);
  // Set when a chunk's write found the lease in another worker's hands (or in none, after a retry).
  let lostInWrite = false;
  const leaseLost = () => lostInWrite || deps.leaseLost?.() === true;
  if (claim.workerDeaths >= QUARANTINE_DEATHS) {
    const error = `quarantined: the worker running it died ${claim.workerDeaths} times in a row without saving progress (last worker ${claim.previousOwner}); not handed to another worker (retry it to run it again)`;
    await withRetry(() => markFinished(db, id, { status: 'failed', error }));
    await withRetry(() => releaseLease(db, id, owner));
    await live.now({ event: { type: 'status', data: { status: 'failed', error } }, counters: [['jobs_failed', 1]] });
    throw new UnrecoverableError(error);
  }
  if (claim.previousOwner) deps.log('taking over a run whose worker died', { id, previousOwner: claim.previousOwner, workerDeaths: claim.workerDeaths });
  const resume = claim.hasCheckpoint ? await loadOwnCheckpoint(deps, identity) : undefined;
  // Sent while the engine starts (the chunk's writes wait for it).
  live.later({ event: { type: 'status', data: { status: 'running', stepsDone: resume?.step ?? 0, totalSteps: spec.training.steps } }, counters: [['jobs_started', 1]] });
  let cancelled = false;
  let lastChunkAt = performance.now();

  // Run time is counted chunk by chunk into the row (every attempt adds its own), so a resumed run's
  // total goes on and a worker that dies loses at most its last chunk's seconds.
  let counted = performance.now();
  let lastCheckpoint = performance.now();
  let diverged: Chunk['diverged'];
  let stepsDone = resume?.step ?? 0;
  // A run from step 0 writes every step itself: its records are kept for its end (not read back).
  const kept = resume ? undefined : new KeptRecords();

  const store = async (chunk: Chunk, checkpoint?: { step: number; state: Uint8Array }) => {
    if (leaseLost()) return;
    // The live writes before this chunk (its start's, the previous chunk's), finishing beside its write.
    const previousLive = live.settled();
    // Snapshots (rare, in pieces: a transaction each) first; then the chunk's points, probe outputs,
    // birth-death counts and the row's progress in one statement, written only while this worker
    // holds the lease.
    if (chunk.snapshots.length > 0) await withRetry(() => writeSnapshots(db, id, chunk.snapshots));
    const summary = { seconds: seconds(counted), ...chunkLosses(chunk) };
    counted = performance.now();
    const now = await withRetry(() => storeChunk(db, id, owner, {
      points: chunk.points, probes: chunk.probes, birthDeath: chunk.birthDeath ?? [], stepsDone: chunk.toStep, totalSteps: chunk.totalSteps, summary,
    }));
    if (!now.found) throw new UnknownSimulationError(id);
    if (!now.held) {
      lostInWrite = true;
      deps.log('lost the lease on this simulation; stopping without writing more', { id, step: chunk.toStep });
      return;
    }
    kept?.add(chunk);
    // The checkpoint is saved only after every point up to its step is stored.
    if (checkpoint) await withRetry(() => saveCheckpoint(db, id, checkpoint.step, checkpoint.state));
    stepsDone = chunk.toStep;
    diverged = chunk.diverged;
    // The row is the backstop of a cancel whose message this worker missed.
    if (now.status === 'cancelled') cancelled = true;
    const steps = chunk.toStep - chunk.fromStep;
    const elapsed = (performance.now() - lastChunkAt) / 1000;
    lastChunkAt = performance.now();
    // Counters, rate and event in one round trip, sent after the chunk's write and not waited for: the
    // next chunk's (or the end's) wait for them, so at most one chunk's are in flight.
    await previousLive;
    live.later(
      {
        event: {
          type: 'progress',
          data: { stepsDone: chunk.toStep, totalSteps: chunk.totalSteps, progress: chunk.totalSteps > 0 ? chunk.toStep / chunk.totalSteps : 1, ...latestMeans(chunk) },
        },
        counters: [['steps', steps]],
        rate: elapsed > 0 ? steps / elapsed : undefined,
      },
      // The queue's copy of the progress is for BullMQ dashboards only; the row is the record (and a
      // run's last chunk is told by the job's completion). A Redis that lost the job (restarted
      // without persistence) must not fail the run.
      chunk.toStep < chunk.totalSteps ? job.updateProgress(Math.round((1000 * chunk.toStep) / chunk.totalSteps) / 10).catch((err: Error) =>
        deps.log('could not report progress to the queue', { id, error: err.message })) : undefined,
    );
  };

  let result;
  try {
    // A stored dataset (of the simulation's own project) is inlined here: the engine takes only inline points.
    const runnable = await withRetry(() => inlineDataset(db, spec, row.project));
    // The limits are predicted for the stored spec (a dataset by id has none, as before), on the
    // engine thread while the last chunk is stored.
    result = await engine.run(runnable, Number(row.seed), identity, resume?.state, {
      onChunk: store,
      checkpointDue: () => {
        if (performance.now() - lastCheckpoint < deps.checkpointSeconds * 1000) return false;
        lastCheckpoint = performance.now();
        return true;
      },
      stopRequested: () => deps.shuttingDown() || cancelled || deps.signal?.aborted === true || leaseLost(),
    }, { predictLimitsFor: spec });
  } catch (err) {
    const message = (err as Error).message;
    if (leaseLost()) {
      // Another worker runs it now: this worker's failure is not the run's (its status is not ours to write).
      deps.log('stopped after losing the lease; not failing the run another worker holds', { id, error: message });
      await live.settled();
      return;
    }
    await withRetry(() => markFinished(db, id, { status: 'failed', error: message, stepsDone, runSeconds: seconds(counted) }));
    await live.now({ event: { type: 'status', data: { status: 'failed', error: message, stepsDone } }, counters: [['jobs_failed', 1]] });
    throw err;
  }

  if (result.stopped && !cancelled && !deps.signal?.aborted && leaseLost()) {
    // Another worker runs it now: its checkpoint and status are not this worker's to write.
    deps.log('stopped: another worker took the run over', { id, step: result.checkpoint.step });
    await live.settled();
    return;
  }
  if (result.stopped && (cancelled || deps.signal?.aborted)) {
    // Cancelled by a client: keep what was computed and the state (a retry resumes from it).
    await withRetry(() => saveCheckpoint(db, id, result.checkpoint.step, result.checkpoint.state));
    await withRetry(() => markFinished(db, id, { status: 'cancelled', stepsDone, runSeconds: seconds(counted) }));
    deps.log('cancelled', { id, step: result.checkpoint.step });
    await live.now({ event: { type: 'status', data: { status: 'cancelled', stepsDone } }, counters: [['jobs_cancelled', 1]] });
    return;
  }
  if (result.stopped) {
    // Shutdown: keep the state, give the job back to the queue for another worker.
    await withRetry(() => saveCheckpoint(db, id, result.checkpoint.step, result.checkpoint.state));
    deps.log('handing the job back', { id, step: result.checkpoint.step });
    await live.now({ event: { type: 'status', data: { status: 'queued', stepsDone, reason: 'worker shutting down; handed back' } } });
    await job.moveToWait(token);
    throw new WaitingError();
  }

  // Statistics and limits are computed here from the records this run kept (else one read of them),
  // the limits against the prediction the engine thread made during the run; then the run ends in one
  // statement (finishRun): statistics, limits, digest, final status, checkpoint and lease together,
  // so a finished run always has its statistics and its digest. A failure to compute either is
  // logged, and the run ends without it, as before.
  const records = kept?.inputs(spec.replicas) ?? await withRetry(() => readStatisticsInputs(db, id, spec.replicas)).catch((err: Error) => {
    deps.log('could not read the records for statistics and limits', { id, error: err.message });
    return undefined;
  });
  // The run's time leaves the limits prediction out (what of it the last chunk's write did not cover).
  const runSeconds = Math.max(0, seconds(counted) - (result.limitsDelaySeconds ?? 0));
  const outcome: Outcome = diverged
    ? { status: 'diverged', divergedAtStep: diverged.step, stepsDone, runSeconds, error: `loss became non-finite at step ${diverged.step} (replica ${diverged.replica})` }
    : { status: 'completed', stepsDone, runSeconds };
  const end: RunEnd = { outcome };
  if (records) {
    end.statistics = quietly(deps, id, 'could not store the statistics', () => simulationStatistics(spec, records));
    end.limits = quietly(deps, id, 'could not store the limits', () => simulationLimitsReport(spec, Number(row.seed), records, result.limits));
  }
  let written;
  try {
    written = await withRetry(() => finishRun(db, id, owner, end));
  } catch (err) {
    if (isTransient(err)) throw err;
    // A value the combined statement refused: the parts one by one, each failing on its own.
    deps.log('could not end the run in one statement; writing its parts one by one', { id, error: (err as Error).message });
    await finishStepByStep(deps, id, spec, Number(row.seed), records, outcome, result.limits);
    written = { found: true, held: true };
  }
  if (!written.found || !written.held) {
    deps.log(written.found ? 'lost the lease on this simulation before its end; not writing it' : 'simulation row is gone; its end is not written', { id });
    await live.settled();
    return;
  }
  deps.leaseReleased?.();
  await live.now({ event: { type: 'status', data: { status: diverged ? 'diverged' : 'completed', stepsDone } }, counters: [[diverged ? 'jobs_failed' : 'jobs_completed', 1]] });
}

function quietly<T>(deps: RunDeps, id: string, what: string, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (err) {
    deps.log(what, { id, error: (err as Error).message });
    return undefined;
  }
}

/** The end of a run as separate writes (statistics, digest, limits, status, checkpoint), each on its own. */
async function finishStepByStep(
  deps: RunDeps, id: string, spec: Parameters<typeof simulationStatistics>[0], seed: number, records: StatisticsInputs | undefined, outcome: Outcome,
  predicted: LimitsPrediction | undefined,
) {
  const { db } = deps;
  await Promise.all([
    records && storeSimulationStatisticsQuietly(db, id, spec, deps.log, records),
    withRetry(() => storeTrajectoryDigest(db, id)),
    records && storeSimulationLimitsQuietly(db, id, spec, seed, deps.log, records, predicted),
  ]);
  await withRetry(() => markFinished(db, id, outcome));
  await withRetry(() => deleteCheckpoint(db, id));
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
