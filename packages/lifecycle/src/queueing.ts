// Putting simulations on their queues, written once (architecture.md: one lifecycle module): a
// submission, a retry (of a run alone or of a sweep's child) and recovery's requeue of what Redis
// lost all come here, so the job id (the simulation id), the priority and the sweep's aggregation
// are the same whoever queues. Where a simulation goes is placement.ts; launching a whole new sweep
// is sweep-launch.ts.
import type { Spec } from '@mfsim/contracts';
import { enqueueSimulation, enqueueSweepChildRetry, enqueueSweepFlow, type FlowProducer, type SimulationQueue, type WorkerKind } from '@mfsim/queue';

export interface QueueingDeps {
  queues: Record<WorkerKind, SimulationQueue>;
  flows: FlowProducer;
}

/** BullMQ runs lower numbers first and unprioritised jobs before all others: map -1000..1000 to 1001..1. */
export const bullPriority = (spec: Pick<Spec, 'priority'>) => 1001 - (spec.priority ?? 0);

/** A simulation of its own (not a sweep's child) on the queue of `kind`, by its spec's priority. */
export async function queueSimulation(deps: QueueingDeps, s: { id: string; spec: Pick<Spec, 'priority'>; kind: WorkerKind }): Promise<void> {
  await enqueueSimulation(deps.queues[s.kind], s.id, bullPriority(s.spec));
}

/** A sweep's child queued again (a retry): its sweep is aggregated again once the child ends. */
export async function queueSweepChildAgain(deps: QueueingDeps, sweepId: string, child: { simulationId: string; kind: WorkerKind }): Promise<void> {
  await enqueueSweepChildRetry(deps.flows, sweepId, child);
}

/** Children of a sweep whose jobs Redis lost, as a new flow with an aggregation of its own. */
export async function queueLostSweepChildren(deps: QueueingDeps, sweepId: string, children: { simulationId: string; kind: WorkerKind }[]): Promise<void> {
  await enqueueSweepFlow(deps.flows, sweepId, children, { aggregationJobId: `${sweepId}-recovered-${Date.now()}` });
}

/** The aggregation of a sweep whose children have all ended; one job id per sweep, so never twice at once. */
export async function queueSweepAggregation(deps: QueueingDeps, sweepId: string): Promise<void> {
  await enqueueSweepFlow(deps.flows, sweepId, [], { aggregationJobId: `${sweepId}-reaggregate` });
}
