export * from './client.ts';
export * from './simulations.ts';
export * from './trajectory.ts';
export * from './records.ts';
export * from './sweeps.ts';
export * from './statistics.ts';
export * from './schedules.ts';
