// Publishing a simulation's or a sweep's live event, typed by the contracts' event schemas (what
// the SSE routes stream). The event's `type` is the SSE event name; the rest is its data.
import type { Redis } from 'ioredis';
import type { SimulationEvent, SweepEvent } from '@mfsim/contracts';
import { appendEvent, simulationEventsKey, sweepEventsKey } from '@mfsim/queue';

type Publishable<E extends { at: string }> = Omit<E, 'at'> & { at?: string };
/** With `startsAttempt` (a retry), readers that do not resume start at this event (packages/queue events.ts). */
export interface PublishOptions {
  startsAttempt?: boolean;
}

export function publishSimulationEvent(redis: Redis, event: Publishable<SimulationEvent>, o: PublishOptions = {}): Promise<string> {
  const { type, ...data } = event;
  return appendEvent(redis, simulationEventsKey(event.simulationId), type, { ...data, at: data.at ?? new Date().toISOString() }, o);
}

export function publishSweepEvent(redis: Redis, event: Publishable<SweepEvent>, o: PublishOptions = {}): Promise<string> {
  const { type, ...data } = event;
  return appendEvent(redis, sweepEventsKey(event.sweepId), type, { ...data, at: data.at ?? new Date().toISOString() }, o);
}
