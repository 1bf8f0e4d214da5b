export * from './connection.ts';
export * from './simulation-queue.ts';
export * from './worker-registry.ts';
export * from './sweep-flow.ts';
export * from './schedule-queue.ts';
export * from './events.ts';
export * from './cancellation.ts';
export * from './job-metrics.ts';
