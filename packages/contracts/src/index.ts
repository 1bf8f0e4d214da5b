export * from './spec.ts';
export * from './api.ts';
export * from './issues.ts';
export * from './service.ts';
export * from './sweeps.ts';
export * from './datasets.ts';
export * from './bounds.ts';
