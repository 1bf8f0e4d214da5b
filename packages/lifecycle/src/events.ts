// Publishing a simulation's or a sweep's live event, typed by the contracts' event schemas (what
// the SSE routes stream). The event's `type` is the SSE event name; the rest is its data.
import type { ChainableCommander, Redis } from 'ioredis';
import type { SimulationEvent, SweepEvent } from '@mfsim/contracts';
import { addEvent, appendEvent, simulationEventsKey, sweepEventsKey } from '@mfsim/queue';

export type Publishable<E extends { at: string }> = Omit<E, 'at'> & { at?: string };
/** With `startsAttempt` (a retry), readers that do not resume start at this event (packages/queue events.ts). */
export interface PublishOptions {
  startsAttempt?: boolean;
}

/** A stream entry: the event's `type` apart, its data with `at` (now, unless the event says when). */
function entry<E extends { type: string; at: string }>(event: Publishable<E>): { type: string; data: Record<string, unknown> } {
  const { type, ...data } = event;
  return { type, data: { ...data, at: data.at ?? new Date().toISOString() } };
}

export function publishSimulationEvent(redis: Redis, event: Publishable<SimulationEvent>, o: PublishOptions = {}): Promise<string> {
  const { type, data } = entry(event);
  return appendEvent(redis, simulationEventsKey(event.simulationId), type, data, o);
}

export function publishSweepEvent(redis: Redis, event: Publishable<SweepEvent>, o: PublishOptions = {}): Promise<string> {
  const { type, data } = entry(event);
  return appendEvent(redis, sweepEventsKey(event.sweepId), type, data, o);
}

/** publishSimulationEvent's commands added to a pipeline the caller sends (a worker's live writes, one round trip). */
export function addSimulationEvent(p: ChainableCommander, event: Publishable<SimulationEvent>): void {
  const { type, data } = entry(event);
  addEvent(p, simulationEventsKey(event.simulationId), type, data);
}

/** publishSweepEvent's commands added to a pipeline the caller sends. */
export function addSweepEvent(p: ChainableCommander, event: Publishable<SweepEvent>): void {
  const { type, data } = entry(event);
  addEvent(p, sweepEventsKey(event.sweepId), type, data);
}
