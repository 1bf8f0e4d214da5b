export * from './connection.ts';
export * from './simulation-queue.ts';
export * from './worker-registry.ts';
