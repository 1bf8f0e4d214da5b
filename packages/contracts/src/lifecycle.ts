// What may happen to a simulation or a sweep, written once: for each action, the statuses it may
// start from and the status it leads to. The API's routes (409 when not allowed), the repositories'
// guarded updates (packages/db: the `where` of each transition), recovery, the worker and the
// dashboard's buttons all read this table instead of spelling statuses themselves.
import type { SimulationStatus } from './api.ts';
import type { SweepStatus } from './sweeps.ts';

export type SimulationAction = 'start' | 'complete' | 'fail' | 'diverge' | 'cancel' | 'retry' | 'requeueLost';
export type SweepAction = 'start' | 'aggregate' | 'cancel' | 'reopen';

/** status x action -> allowed, and where it leads. */
export const SIMULATION_TRANSITIONS = {
  /** A worker takes the job. */
  start: { from: ['queued'], to: 'running' },
  complete: { from: ['running'], to: 'completed' },
  /** The engine failed, or the job was lost for good (stalled too often). */
  fail: { from: ['queued', 'running'], to: 'failed' },
  diverge: { from: ['running'], to: 'diverged' },
  /** Queued: the job leaves the queue; running: the worker is told and stops after the chunk in hand. */
  cancel: { from: ['queued', 'running'], to: 'cancelled' },
  /** Queued again, resuming from its checkpoint when there is one. */
  retry: { from: ['failed', 'cancelled'], to: 'queued' },
  /** A running row whose worker's lease expired, back to queued (recovery). */
  requeueLost: { from: ['running'], to: 'queued' },
} as const satisfies Record<SimulationAction, { from: readonly SimulationStatus[]; to: SimulationStatus }>;

export const SWEEP_TRANSITIONS = {
  start: { from: ['queued'], to: 'running' },
  /** The aggregation ran once every child ended (a cancelled sweep keeps its status). */
  aggregate: { from: ['queued', 'running'], to: 'completed' },
  /** (Cancelling a cancelled sweep again changes nothing; a completed sweep cannot be cancelled.) */
  cancel: { from: ['queued', 'running'], to: 'cancelled' },
  /** A child was retried: the sweep runs again and is aggregated again. */
  reopen: { from: ['completed', 'cancelled'], to: 'running' },
} as const satisfies Record<SweepAction, { from: readonly SweepStatus[]; to: SweepStatus }>;

/** Statuses a simulation never leaves by itself (only `retry` leaves failed or cancelled). */
export const SIMULATION_FINAL: readonly SimulationStatus[] = ['completed', 'failed', 'cancelled', 'diverged'];
/** A sweep is over once aggregated (completed) or cancelled. */
export const SWEEP_FINAL: readonly SweepStatus[] = ['completed', 'cancelled'];

export const simulationMay = (status: string, action: SimulationAction): boolean =>
  (SIMULATION_TRANSITIONS[action].from as readonly string[]).includes(status);
export const sweepMay = (status: string, action: SweepAction): boolean =>
  (SWEEP_TRANSITIONS[action].from as readonly string[]).includes(status);
/** The statuses `action` may start from, for messages ("only failed or cancelled ones can be retried"). */
export const simulationStatusesFor = (action: SimulationAction) => SIMULATION_TRANSITIONS[action].from.join(' or ');
