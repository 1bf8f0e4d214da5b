// The lifecycle of a simulation or a sweep in one place (architecture.md): the transitions table
// lives in packages/contracts (lifecycle.ts); placing, launching, requeueing and publishing events
// live here, for the API's routes and recovery, the schedules and the worker.
export * from './events.ts';
export * from './placement.ts';
export * from './queueing.ts';
export * from './sweep-launch.ts';
