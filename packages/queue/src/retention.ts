// How long BullMQ keeps finished jobs, named once: simulation runs and sweep aggregations are kept
// a day after completing (at most 10,000) and a week after failing, for reading back and for
// recovery's job lookups; schedule firings keep the last 1,000 of each.
export const RUN_RETENTION = {
  removeOnComplete: { age: 24 * 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
} as const;

export const FIRING_RETENTION = {
  removeOnComplete: { count: 1_000 },
  removeOnFail: { count: 1_000 },
} as const;
