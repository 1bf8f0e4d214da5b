export * from './connection.ts';
export * from './simulation-queue.ts';
export * from './worker-registry.ts';
export * from './sweep-flow.ts';
export * from './schedule-queue.ts';
