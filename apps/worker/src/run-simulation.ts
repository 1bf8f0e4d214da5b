// The processor of a simulation job: run the engine in chunks, store each chunk, checkpoint,
// and leave the row in a final status (completed, diverged, failed) or handed back (shutdown).
import type { Job } from 'bullmq';
import { UnrecoverableError, WaitingError } from 'bullmq';
import { fieldIssues, specSchema } from '@mfsim/contracts';
import {
  deleteCheckpoint, findSimulation, loadCheckpoint, markFinished, markRunning, saveCheckpoint,
  updateProgress, writeProbeOutputs, writeSnapshots, writeTrajectoryPoints, type Database,
} from '@mfsim/db';
import type { SimulationJobData } from '@mfsim/queue';
import type { Chunk } from '@mfsim/engine';
import type { EngineHost } from './engine/engine-host.ts';
import { withRetry } from './retry.ts';
import { storeSimulationStatisticsQuietly } from './simulation-statistics.ts';

export interface RunDeps {
  db: Database;
  engine: EngineHost;
  /** Seconds between checkpoints. */
  checkpointSeconds: number;
  /** True once the worker has been asked to shut down: hand the job back at the next chunk. */
  shuttingDown(): boolean;
  log: (msg: string, extra?: Record<string, unknown>) => void;
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
  const resume = await withRetry(() => loadCheckpoint(db, id));
  if (resume) deps.log('resuming from checkpoint', { id, step: resume.step });
  await withRetry(() => markRunning(db, id, { backend: engine.info.kernel, device: engine.info.device }));

  const started = performance.now();
  let lastCheckpoint = performance.now();
  let diverged: Chunk['diverged'];
  let stepsDone = resume?.step ?? 0;

  const store = async (chunk: Chunk, checkpoint?: { step: number; state: Uint8Array }) => {
    await withRetry(async () => {
      await writeTrajectoryPoints(db, id, chunk.points);
      await writeProbeOutputs(db, id, chunk.probes);
      await writeSnapshots(db, id, chunk.snapshots);
    });
    // The checkpoint is saved only after every point up to its step is stored.
    if (checkpoint) await withRetry(() => saveCheckpoint(db, id, checkpoint.step, checkpoint.state));
    stepsDone = chunk.toStep;
    diverged = chunk.diverged;
    await withRetry(() => updateProgress(db, id, chunk.toStep, chunk.totalSteps));
    await job.updateProgress(Math.round((1000 * chunk.toStep) / chunk.totalSteps) / 10);
  };

  let result;
  try {
    result = await engine.run(spec, Number(row.seed), resume?.state, {
      onChunk: store,
      checkpointDue: () => {
        if (performance.now() - lastCheckpoint < deps.checkpointSeconds * 1000) return false;
        lastCheckpoint = performance.now();
        return true;
      },
      stopRequested: deps.shuttingDown,
    });
  } catch (err) {
    const message = (err as Error).message;
    await withRetry(() => markFinished(db, id, { status: 'failed', error: message, stepsDone, runSeconds: seconds(started) }));
    throw err;
  }

  if (result.stopped) {
    // Shutdown: keep the state, give the job back to the queue for another worker.
    await withRetry(() => saveCheckpoint(db, id, result.checkpoint.step, result.checkpoint.state));
    deps.log('handing the job back', { id, step: result.checkpoint.step });
    await job.moveToWait(token);
    throw new WaitingError();
  }

  await withRetry(() =>
    markFinished(db, id, diverged
      ? { status: 'diverged', divergedAtStep: diverged.step, stepsDone, runSeconds: seconds(started), error: `loss became non-finite at step ${diverged.step} (replica ${diverged.replica})` }
      : { status: 'completed', stepsDone, runSeconds: seconds(started) }),
  );
  await withRetry(() => deleteCheckpoint(db, id));
  await storeSimulationStatisticsQuietly(db, id, spec, deps.log);
}

const seconds = (since: number) => (performance.now() - since) / 1000;
