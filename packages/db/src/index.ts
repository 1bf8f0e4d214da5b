export * from './client.ts';
export * from './simulations.ts';
export * from './trajectory.ts';
export * from './records.ts';
export * from './keys.ts';
export * from './trajectory-queries.ts';
export * from './simulation-control.ts';
