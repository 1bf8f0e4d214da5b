export * from './client.ts';
export * from './simulations.ts';
export * from './trajectory.ts';
export * from './records.ts';
