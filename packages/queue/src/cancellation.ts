// Telling the worker that runs a simulation to stop: a Redis pub/sub message that every worker
// hears; the one running the job aborts it (BullMQ's worker.cancelJob -> the processor's signal).
// The status row is the backstop: a worker that missed the message sees `cancelled` at its next chunk.
import type { Redis } from 'ioredis';

export const CANCEL_CHANNEL = 'mfsim:cancel';

export async function requestCancel(redis: Redis, simulationId: string): Promise<void> {
  await redis.publish(CANCEL_CHANNEL, simulationId);
}

/** Calls `onCancel(simulationId)` for each request; returns an unsubscribe. `subscriber` is dedicated. */
export async function onCancelRequests(subscriber: Redis, onCancel: (simulationId: string) => void): Promise<() => Promise<void>> {
  subscriber.on('message', (channel: string, message: string) => {
    if (channel === CANCEL_CHANNEL) onCancel(message);
  });
  await subscriber.subscribe(CANCEL_CHANNEL);
  return async () => {
    await subscriber.unsubscribe(CANCEL_CHANNEL).catch(() => {});
  };
}
